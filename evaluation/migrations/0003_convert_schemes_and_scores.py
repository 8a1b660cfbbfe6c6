"""Rows of the old shape into the new one.

Each evaluation's items become a published version of a scheme (one scheme per preset,
one version per distinct set of items), and each score's JSON list becomes ItemScore rows
with numbers and ScoreFact rows with the ids it kept. The old list held no names, so
those facts show their ids; scores computed from now on name every row.
"""

from decimal import Decimal

from django.db import migrations

PRESET_NAMES = {
    "investment_led": "投资导向考评（投资60、形象进度30、报送10）",
    "comprehensive": "综合考评（投资40、节点25、报送15、交办10、整改10）",
}
# The defaults the old code applied with params.get(name, default); None: the item's points.
DEFAULTS = {
    "ratio": {"cap": 1},
    "per_point": {"baseline": 100, "per_point": 1, "floor": 0},
    "per_occurrence": {"per_item": 1, "cap": None},
    "rank": {"step": 1},
}
GROUPS = {"市直部门": "city_dept", "乡镇办(街道)": "town"}
KINDS = {"milestones": "milestone", "reports": "report", "action_items": "action_item",
         "rectification": "rectification"}


def _params(item) -> dict:
    values = {}
    for name, default in DEFAULTS.get(item.formula, {}).items():
        given = (item.params or {}).get(name, default)
        # JSON gave an int or a float; its shortest text is the number the office meant.
        values[name] = item.points if given is None else Decimal(str(given))
    return values


def _signature(items, caps) -> tuple:
    return caps + tuple((i.fact, i.formula, i.points, tuple(sorted(_params(i).items())))
                        for i in items)


def forwards(apps, schema_editor):
    models = {name: apps.get_model("evaluation", name) for name in (
        "Evaluation", "Scheme", "SchemeVersion", "SchemeItem", "ItemParameter", "UnitScore",
        "ItemScore", "ScoreFact")}
    versions = {}  # signature → version
    for evaluation in models["Evaluation"].objects.order_by("pk"):
        items = list(models["SchemeItem"].objects.filter(old_evaluation=evaluation)
                     .order_by("order", "pk"))
        caps = (evaluation.bonus_cap, evaluation.deduction_cap)
        signature = (evaluation.preset, _signature(items, caps))
        if signature not in versions:
            versions[signature] = _new_version(models, evaluation, items)
        version = versions[signature]
        evaluation.scheme_id, evaluation.version_id = version.scheme_id, version.pk
        evaluation.save(update_fields=["scheme", "version"])
        version_items = list(models["SchemeItem"].objects.filter(version=version)
                             .order_by("order", "pk"))
        for score in models["UnitScore"].objects.filter(evaluation=evaluation).order_by("pk"):
            _convert_score(models, score, version_items)
    # Items of an evaluation whose set matched an earlier one: the version has their copies.
    models["SchemeItem"].objects.filter(version=None).delete()


def _new_version(models, evaluation, items):
    scheme = None
    if evaluation.preset:
        scheme = models["Scheme"].objects.filter(preset=evaluation.preset).first()
    if scheme is None:
        scheme = models["Scheme"].objects.create(
            name=PRESET_NAMES.get(evaluation.preset, evaluation.name), preset=evaluation.preset)
    number = models["SchemeVersion"].objects.filter(scheme=scheme).count() + 1
    version = models["SchemeVersion"].objects.create(
        scheme=scheme, number=number, status="published", bonus_cap=evaluation.bonus_cap,
        deduction_cap=evaluation.deduction_cap, total_points=sum(
            (i.points for i in items), Decimal("0")) or Decimal("100"),
        published_at=evaluation.computed_at or evaluation.created_at,
        note="由升级前的考评迁移")
    for item in items:
        item.version = version
        item.save(update_fields=["version"])
        models["ItemParameter"].objects.bulk_create(
            models["ItemParameter"](item=item, name=name, value=value)
            for name, value in _params(item).items())
    return version


def _convert_score(models, score, version_items):
    score.group = GROUPS.get(score.group, score.group)
    score.save(update_fields=["group"])
    rows = [row for row in score.items if row.get("fact") != "adjustment"]
    for row, item in zip(rows, version_items, strict=False):
        points = row.get("points")
        value = row.get("value")
        item_score = models["ItemScore"].objects.create(
            score=score, item=item,
            points=None if points in (None, "—") else Decimal(points),
            value=Decimal(value.rstrip("%")) / 100 if value else None,
            late=len(row.get("ids", {}).get("late", [])))
        models["ScoreFact"].objects.bulk_create(_facts(models, item_score, row))


def _facts(models, item_score, row):
    ids = row.get("ids", {})
    if row.get("fact") == "investment":
        return [models["ScoreFact"](item_score=item_score, kind="project", object_id=pk,
                                    on_time=True) for pk in ids.get("projects", [])]
    kind = KINDS.get(row.get("fact"))
    if kind is None:
        return []
    return [models["ScoreFact"](item_score=item_score, kind=kind, object_id=pk, on_time=on_time)
            for on_time, key in ((True, "on_time"), (False, "late")) for pk in ids.get(key, [])]


class Migration(migrations.Migration):

    dependencies = [
        ("evaluation", "0002_schemes_in_versions"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
