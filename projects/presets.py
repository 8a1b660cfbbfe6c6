"""Named rule-set presets (亮灯规则). Created on demand; editable afterwards in the admin."""

from decimal import Decimal

from projects.models import StatusRuleSet

PRESETS = {
    "default": dict(
        name="默认规则",
        description="节点临期7天提醒、超期7天内黄灯、超期逾7天红灯；年度累计投资落后序时进度10—30个百分点黄灯、"
                    "逾30个百分点红灯；本期未报黄灯、连续两期未报红灯；红灯整改后观察一个周期。"),
    "sanya": dict(
        name="三亚式规则", investment_mode="relative", investment_yellow=Decimal("1"),
        investment_red=Decimal("50"),
        description="参照三亚市重点项目亮灯做法：投资完成落后序时进度50%以内黄灯，落后超过50%红灯。"),
    "strict": dict(
        name="从严规则", milestone_red_days=3, investment_yellow=Decimal("5"),
        investment_red=Decimal("20"), report_red_periods=2, procedure_red_days=15,
        description="节点超期3天即红灯，投资落后5个百分点黄灯、20个百分点红灯，手续逾期15天红灯。"),
}


def ensure_presets() -> dict[str, StatusRuleSet]:
    result = {}
    for key, fields in PRESETS.items():
        rule_set = StatusRuleSet.objects.filter(preset=key).first()
        if rule_set is None:
            rule_set = StatusRuleSet(preset=key, **fields)
            rule_set.save()
        result[key] = rule_set
    return result
