"""The rules a scheme version must keep, with the messages the office reads.

The editor's forms and the actions read the same functions, so a page shows the message
inline and an action refuses the same input from any other caller.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from evaluation.choices import Fact
from evaluation.formulas import LIBRARY, check_formula, number_text, resolve_params

MAX_TOTAL = Decimal("1000")
# 加减分 shift a rank, they must not decide it: local schemes cap them at 5–10 of 100
# points; a fifth of the full points leaves room and keeps the scored items the main thing.
MAX_ADJUSTMENT_SHARE = Decimal("0.2")


@dataclass
class ItemSpec:
    """An item as the editor submits it (parameters of the chosen formula only)."""

    fact: str
    formula: str
    points: Decimal
    params: dict = field(default_factory=dict)


def check_settings(total_points: Decimal, bonus_cap: Decimal, deduction_cap: Decimal) -> dict:
    """{field: message} for the version's full points and adjustment caps."""
    errors = {}
    if not Decimal("0") < total_points <= MAX_TOTAL:
        errors["total_points"] = f"满分应大于0且不超过{number_text(MAX_TOTAL)}分。"
        return errors  # the caps are bounded by it
    cap_limit = (total_points * MAX_ADJUSTMENT_SHARE).quantize(Decimal("0.01"))
    for name, label, value in (("bonus_cap", "加分上限", bonus_cap),
                               ("deduction_cap", "扣分上限", deduction_cap)):
        if not Decimal("0") <= value <= cap_limit:
            errors[name] = (f"{label}应在0至{number_text(cap_limit)}分之间"
                            f"（满分的{number_text(MAX_ADJUSTMENT_SHARE * 100)}%以内）。")
    return errors


def check_item(item: ItemSpec, total_points: Decimal) -> tuple[dict, dict]:
    """(the item's parameters with defaults filled in, {field: message})."""
    errors = {}
    if item.fact not in Fact.values:
        errors["fact"] = "请从列表中选择考评指标。"
    message = check_formula(item.fact, item.formula)
    if message:
        errors["formula"] = message
    if not Decimal("0") < item.points <= total_points:
        errors["points"] = f"分值应大于0且不超过满分{number_text(total_points)}分。"
    if "formula" in errors or "points" in errors:
        return {}, errors
    params, param_errors = resolve_params(item.formula, item.points, item.params)
    errors.update({param_field(item.formula, name): msg for name, msg in param_errors.items()})
    return params, errors


def check_weights(total_points: Decimal, points: list[Decimal]) -> str | None:
    """A message unless there are items and their points add up to the full points."""
    if not points:
        return "方案至少需要一个考评项目。"
    total = sum(points, Decimal("0"))
    if total != total_points:
        return (f"各项分值合计{number_text(total)}分，应等于满分{number_text(total_points)}分"
                f"（相差{number_text(total_points - total)}分）。")
    return None


def version_errors(version) -> list[str]:
    """Every rule a stored version breaks, as messages (publishing needs none)."""
    messages = list(check_settings(version.total_points, version.bonus_cap,
                                   version.deduction_cap).values())
    items = list(version.items.prefetch_related("parameters"))
    for i, item in enumerate(items, start=1):
        spec = ItemSpec(item.fact, item.formula, item.points, item.params())
        _, errors = check_item(spec, version.total_points)
        messages += [f"第{i}项：{m}" for m in errors.values()]
    weights = check_weights(version.total_points, [item.points for item in items])
    return messages + ([weights] if weights else [])


def param_field(formula: str, name: str) -> str:
    """The editor's field name of a formula parameter (two formulas may share a name)."""
    return f"{formula}__{name}"


def all_param_fields():
    """(field name, formula spec, param) for every parameter of the library."""
    for spec in LIBRARY.values():
        for param in spec.params:
            yield param_field(spec.key, param.name), spec, param
