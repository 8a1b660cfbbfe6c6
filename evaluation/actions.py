"""Every state change of 阶段考评: schemes and their versions, evaluations, adjustments,
computation and publication.

Facts are loaded by evaluation.facts, scored by evaluation.scoring (no database), and
stored here as numbers with the rows behind them.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, router, transaction
from django.db.models import Max
from django.utils import timezone

from evaluation import facts as evaluation_facts
from evaluation import scoring
from evaluation.choices import GROUPS, EvaluationStatus, Fact, VersionStatus
from evaluation.models import (
    Adjustment,
    Evaluation,
    ItemParameter,
    ItemScore,
    Scheme,
    SchemeItem,
    SchemeVersion,
    ScoreFact,
    UnitScore,
)
from evaluation.presets import PRESETS
from evaluation.validation import (
    ItemSpec,
    check_item,
    check_settings,
    version_errors,
)
from org.models import Unit
from org.roles import Cap, has_cap
from projects import engine as project_engine


def _require_office(user):
    """The office sets schemes and runs evaluations; None is the system (demo, commands)."""
    if user is not None and not has_cap(user, Cap.MANAGE_PROJECTS):
        raise PermissionDenied("只有领导小组办公室可以制定考评方案和组织考评。")


# --- schemes and versions ------------------------------------------------------------


@transaction.atomic
def do_create_scheme(*, name, acting_user, preset="", description="") -> Scheme:
    """A new scheme with a draft version 1: the preset's items, or none."""
    _require_office(acting_user)
    if not name.strip():
        raise ValidationError({"name": "请填写方案名称。"})
    if preset and preset not in PRESETS:
        raise ValidationError({"preset": "没有这个预设方案。"})
    scheme = Scheme.objects.create(name=name.strip(), preset=preset,
                                   description=description.strip())
    if preset:
        spec = PRESETS[preset]
        version = SchemeVersion.objects.create(scheme=scheme, number=1,
                                               bonus_cap=spec["bonus_cap"],
                                               deduction_cap=spec["deduction_cap"])
        _write_items(version, [ItemSpec(fact=fact, formula=formula, points=points, params=params)
                               for fact, points, formula, params in spec["items"]])
    else:
        SchemeVersion.objects.create(scheme=scheme, number=1)
    return scheme


@transaction.atomic
def do_start_draft(scheme, *, acting_user) -> SchemeVersion:
    """Editing a scheme: the open draft, or a new one copied from the current version."""
    _require_office(acting_user)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)  # one new draft, not two
    if scheme.draft is not None:
        return scheme.draft
    current = scheme.current_version
    number = (scheme.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    if current is None:
        return SchemeVersion.objects.create(scheme=scheme, number=number)
    draft = SchemeVersion.objects.create(
        scheme=scheme, number=number, total_points=current.total_points,
        bonus_cap=current.bonus_cap, deduction_cap=current.deduction_cap)
    _write_items(draft, [ItemSpec(i.fact, i.formula, i.points, i.params())
                         for i in current.items.prefetch_related("parameters")])
    return draft


@transaction.atomic
def do_save_draft(version, *, total_points, bonus_cap, deduction_cap, items: list[ItemSpec],
                  note="", acting_user) -> SchemeVersion:
    """Replace a draft's settings and items. Each item and the caps are checked here; the
    weights may still disagree with the full points until the draft is published."""
    _require_office(acting_user)
    version = _locked_draft(version)
    messages = list(check_settings(Decimal(total_points), Decimal(bonus_cap),
                                   Decimal(deduction_cap)).values())
    for i, item in enumerate(items, start=1):
        _, item_errors = check_item(item, Decimal(total_points))
        messages += [f"第{i}项：{message}" for message in item_errors.values()]
    if messages:
        raise ValidationError(messages)
    version.total_points, version.bonus_cap = Decimal(total_points), Decimal(bonus_cap)
    version.deduction_cap, version.note = Decimal(deduction_cap), note.strip()
    version.save()
    version.items.all().delete()  # a draft's items are referenced by no score
    _write_items(version, items)
    return version


@transaction.atomic
def do_publish_version(version, *, acting_user) -> SchemeVersion:
    """The draft becomes the scheme's current version and never changes again."""
    _require_office(acting_user)
    version = _locked_draft(version)
    messages = version_errors(version)
    if messages:
        raise ValidationError(messages)
    version.status, version.published_at = VersionStatus.PUBLISHED, timezone.now()
    version.published_by = acting_user
    version.save()
    return version


@transaction.atomic
def do_discard_draft(version, *, acting_user) -> None:
    """Give up an edit: the draft is archived (its history stays)."""
    _require_office(acting_user)
    _locked_draft(version).archive()


def _locked_draft(version) -> SchemeVersion:
    version = SchemeVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != VersionStatus.DRAFT or version.archived_at is not None:
        raise ValidationError("已发布的方案版本不能修改，请先修订出新的草稿。")
    return version


def _write_items(version, items: list[ItemSpec]) -> None:
    """Items with their parameters, defaults filled in (the caller has checked them)."""
    for order, spec in enumerate(items):
        params, _ = check_item(spec, version.total_points)
        item = SchemeItem.objects.create(version=version, fact=spec.fact, formula=spec.formula,
                                         points=spec.points, order=order)
        ItemParameter.objects.bulk_create(ItemParameter(item=item, name=name, value=value)
                                          for name, value in params.items())


# --- evaluations ---------------------------------------------------------------------


@transaction.atomic
def do_create_evaluation(*, scheme, period_start, period_end, acting_user,
                         name="") -> Evaluation:
    """An evaluation of a period under the scheme's current version."""
    _require_office(acting_user)
    version = scheme.current_version
    if version is None:
        raise ValidationError({"scheme": "该方案还没有发布的版本，请先发布方案。"})
    if period_end < period_start:
        raise ValidationError({"period_end": "考评期间止不能早于期间起。"})
    return Evaluation.objects.create(name=(name or "").strip() or scheme.name, scheme=scheme,
                                     version=version, period_start=period_start,
                                     period_end=period_end)


@transaction.atomic
def do_adjust(evaluation, *, unit, points, reason, evidence="", acting_user) -> Adjustment:
    _require_office(acting_user)
    # Locked like computing and publishing, so an adjustment lands wholly before or after
    # either (stale_reasons compares its time with the computation's).
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.is_published:
        raise ValidationError("考评结果已公布，不能再加减分。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写加减分事由。"})
    return Adjustment.objects.create(evaluation=evaluation, unit=unit, points=Decimal(points),
                                     reason=reason.strip(), evidence=evidence.strip())


@transaction.atomic
def do_compute(evaluation, *, acting_user) -> int:
    """Score every 市直部门 and 乡镇办 unit with the scheme's current version; rank each
    group separately. Returns how many units were ranked (the others are 不参评)."""
    _require_office(acting_user)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.is_published:
        raise ValidationError("考评结果已公布并冻结，不能重新计算。")
    version = evaluation.scheme.current_version
    if version is None:
        raise ValidationError("该方案没有已发布的版本。")
    items = list(version.items.prefetch_related("parameters"))
    rules = [scoring.Rule(i.pk, i.fact, i.formula, i.points, i.params()) for i in items]
    # Facts due so far: a period still running is measured up to today (a milestone due
    # next week is not late yet; 序时 is taken on the same day as the reported figures).
    as_of = _facts_due(evaluation)
    if any(rule.fact == Fact.REPORTS for rule in rules):
        # A period closed without a report is owed, not absent: record it as 未报送 (as the
        # daily job does) so a unit that filed nothing scores 0, not "nothing due".
        project_engine.record_missing_reports()
    facts = evaluation_facts.collect(evaluation.period_start, as_of, as_of,
                                     [rule.fact for rule in rules])
    totals = scoring.Totals(version.total_points, version.bonus_cap, version.deduction_cap)
    results = scoring.score_all(rules, _units(evaluation), facts, totals)
    UnitScore.objects.filter(evaluation=evaluation).delete()
    _store(evaluation, results, acting_user)
    evaluation.version, evaluation.status = version, EvaluationStatus.COMPUTED
    evaluation.computed_at, evaluation.facts_as_of = timezone.now(), as_of
    evaluation.save()
    return sum(1 for r in results if r.takes_part)


def _units(evaluation) -> list[scoring.Unit]:
    adjustments: dict[int, list[Decimal]] = {}
    for unit_id, points in evaluation.adjustments.active().values_list("unit_id", "points"):
        adjustments.setdefault(unit_id, []).append(points)
    return [scoring.Unit(pk, kind, adjustments.get(pk, []))
            for pk, kind in Unit.objects.active().filter(kind__in=GROUPS)
            .order_by("sort_order", "name", "pk").values_list("pk", "kind")]


def _store(evaluation, results, acting_user) -> None:
    """Scores, item scores and the named facts, a few bulk inserts in all."""
    scores = UnitScore.objects.bulk_create([UnitScore(
        evaluation=evaluation, unit_id=r.unit_id, group=r.group, base=r.base,
        adjustment=r.adjustment, total=r.total, rank=r.rank, computed_by=acting_user)
        for r in results], batch_size=500)
    pairs = [(score, item) for score, result in zip(scores, results, strict=True)
             for item in result.items]
    item_scores = ItemScore.objects.bulk_create([ItemScore(
        score=score, item_id=item.rule.item_id, points=item.points, place=item.place,
        achieved=item.fact.achieved if item.fact else None,
        target=item.fact.target if item.fact else None,
        value=item.fact.value if item.fact else None,
        late=item.fact.late if item.fact else 0) for score, item in pairs], batch_size=1000)
    _insert_many(ScoreFact, [ScoreFact(item_score=item_score, **vars(row))
                             for item_score, (_, item) in zip(item_scores, pairs, strict=True)
                             if item.fact for row in item.fact.rows])


def _insert_many(model, objs) -> None:
    """INSERT plain rows (no ids wanted back) as one prepared statement run per row.

    bulk_create compiles SQL per batch, and SQLite's 999 parameters make a batch of 13
    columns 76 rows: the large demo city's 30,000 named facts took 400 compilations and
    most of the computation's time; one executemany takes a fraction of it.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)))
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[f.get_db_prep_save(getattr(obj, f.attname), connection)
                                  for f in fields] for obj in objs])


@transaction.atomic
def do_publish(evaluation, *, acting_user) -> Evaluation:
    """Freeze and publish: the ranking becomes visible to all units and can no longer
    change, nor can the version it used."""
    _require_office(acting_user)
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if evaluation.status != EvaluationStatus.COMPUTED:
        raise ValidationError("请先计算考评结果。")
    reasons = stale_reasons(evaluation)
    if reasons:
        raise ValidationError(f"{'；'.join(reasons)}，请先重新计算再公布。")
    evaluation.status, evaluation.published_at = EvaluationStatus.PUBLISHED, timezone.now()
    evaluation.save()
    return evaluation


def stale_reasons(evaluation) -> list[str]:
    """Why the computed scores no longer match what the page lists; empty when they do.

    Publishing refuses a stale result rather than recomputing on its own: the office then
    publishes exactly the figures it has read, and the frozen ranking includes every
    adjustment the page lists.
    """
    if not evaluation.is_computed or evaluation.computed_at is None:
        return []
    reasons = []
    # updated_at moves on every save: a new adjustment, an edit, and an archived one.
    if evaluation.adjustments.filter(updated_at__gt=evaluation.computed_at).exists():
        reasons.append("计算后加减分有变动")
    current = evaluation.scheme.current_version
    if current is not None and current.pk != evaluation.version_id:
        reasons.append(f"计算后方案已发布{current}")
    if evaluation.facts_as_of and evaluation.facts_as_of < _facts_due(evaluation):
        reasons.append(f"结果按{evaluation.facts_as_of:%Y-%m-%d}的数据计算，此后又有数据到期")
    return reasons


def _facts_due(evaluation):
    """The day a computation now would take its facts on: the period's end, or today."""
    return min(evaluation.period_end, timezone.localdate())
