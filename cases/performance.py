"""绩效评价: the performance figures of city-management cases, by dimension and period.

Every figure is derived from stored transitions — CaseEvent rows and the case's own
columns (reported_at, registered_at, dispatched_at, handled_at, closed_at, deadline_at,
state) — never from counters kept by hand. A period is a range of local calendar days
(Asia/Shanghai); each figure dates its case or event by one moment, given below, and
counts it in the period holding that moment's local day.

Figures (per dimension key: a unit, grid, road segment, case type or source):

- 上报数 (reported): cases reported in the period (reported_at), every report (also those
  later rejected, merged as duplicates or voided).
- 立案数 (registered): cases registered in the period (registered_at, set by 立案).
- 立案率 = 立案数 / 上报数.
- 结案数 (closed): cases in state 结案 whose closed_at falls in the period.
- 按期结案数 (closed_on_time): of those, the cases whose last 处置 (handled_at, the one the
  passed 核查 accepted) was no later than deadline_at — the unit's deadline as it stood at
  结案, approved 延期 included. The unit's limit is a 处置时限: the desk's own 核查 and 结案
  time is not charged to it.
- 应结案数 (due) = 结案数 + 超期未结案数 (overdue_open): open cases (not 结案, 不予立案 or
  作废) whose deadline_at has passed (before now) and falls in the period. A case 挂账
  has no deadline and is not due; a case 回退待审 keeps its unit's deadline (a return does
  not stop the clock) and is due like any other; one still within its limit is not due yet.
  So 结案率 ≤ 100 %, and a case overdue in March and closed in April counts (late) in April.
- 结案率 = 结案数 / 应结案数;  按期结案率 = 按期结案数 / 应结案数.
- 派遣数 (dispatched): 派遣 and 改派 events in the period (CaseEvent.at).
- 处置数 (handled): 处置 events in the period.
- 返工数 (reworked): 核查不通过 events (the case goes back to 返工);  返工率 = 返工数 / 处置数.
- 延期数 (extended): 批准延期 events;  延期率 = 延期数 / 派遣数 (a unit's cases are the
  ones sent to it; for the city as a whole 派遣数 is 立案数 plus 改派).
- 回退数 (returned): 回退 events;  回退率 = 回退数 / 派遣数.
- 平均处置用时 (mean handling time, 工作时): over the period's closed cases, working time
  (cases.workclock, the Chinese calendar, the case's 延期/挂账 pauses excluded) from the
  last 派遣 (dispatched_at) to the last 处置 (handled_at), divided by their number.
- 综合指标值: the weighted mean of the rates (PerformanceWeight rows, editable by the
  office), each rate scored 0–100 (rate × 100, or (1 − rate) × 100 where less is better);
  a rate whose denominator is 0 drops out with its weight; no rate at all → no value.
  等级: A ≥ 90, B 75–<90, C 60–<75, D 40–<60, E < 40.

Keys. Case figures take the case's key: its current handling unit (for a finished case,
the unit that finished it), grid, segment, type (CaseType, whatever version) and source.
Event figures take the unit on the event row (the unit dispatched to, that handled,
returned, or was extended) and the case's grid/segment/type/source. A case's type, grid,
segment and source are taken as fixed once it is dispatched.

Speed. CaseDayStat holds these figures per local day for what can no longer change:
events before the roll-up's watermark and cases whose final event (结案/不予立案/作废)
came before it. The ranking sums those rows and adds the live part — open cases, cases
finished since the watermark, events since it — computed here by the same functions
(`contributions`), so roll-up + live = direct computation over all cases.
"""

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases import workclock, workflow
from cases.choices import CaseState, EventType
from cases.models import (
    Case,
    CaseDayStat,
    CaseEvent,
    CasePause,
    CaseRollupState,
    Dimension,
    Metric,
    PerformanceWeight,
)
from cases.models_stats import DEFAULT_WEIGHTS, LOWER_IS_BETTER

FINAL_STATES = tuple(workflow.FINAL_STATES)
# Named positively (not "not final") so the state index serves the live part.
OPEN_STATES = tuple(s for s in CaseState.values if s not in FINAL_STATES)

# Which counter each counted event kind adds to.
EVENT_COUNTERS = {
    EventType.DISPATCH: "dispatched",
    EventType.REASSIGN: "dispatched",
    EventType.HANDLE: "handled",
    EventType.CHECK_FAIL: "reworked",
    EventType.EXTENSION_APPROVE: "extended",
    EventType.RETURN: "returned",
}

# The key of a case, and of an event, per dimension (ORM paths).
CASE_KEY = {
    Dimension.UNIT: "handling_unit_id",
    Dimension.GRID: "grid_id",
    Dimension.SEGMENT: "segment_id",
    Dimension.TYPE: "type_version__case_type_id",
    Dimension.SOURCE: "source",
}
EVENT_KEY = {
    Dimension.UNIT: "unit_id",
    Dimension.GRID: "case__grid_id",
    Dimension.SEGMENT: "case__segment_id",
    Dimension.TYPE: "case__type_version__case_type_id",
    Dimension.SOURCE: "case__source",
}

# Counters stored in CaseDayStat (overdue_open is never stored: it depends on now).
STORED = ("reported", "registered", "closed", "closed_on_time", "handling_minutes",
          "handling_cases", "dispatched", "handled", "reworked", "extended", "returned")

# 按期: the last 处置 no later than the deadline as it stood at 结案 (with a closed case).
ON_TIME = Q(deadline_at__isnull=False, handled_at__isnull=False, handled_at__lte=F("deadline_at"))

GRADES = ((90, "A"), (75, "B"), (60, "C"), (40, "D"))


def grade_of(score: float | None) -> str:
    """A ≥ 90, B 75–<90, C 60–<75, D 40–<60, E < 40; "" without a score."""
    if score is None:
        return ""
    for floor, grade in GRADES:
        if score >= floor:
            return grade
    return "E"


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


@dataclass
class Figures:
    """The counters of one key; rates and the 综合指标值 derive from them."""

    key: str = ""
    reported: int = 0
    registered: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue_open: int = 0
    handling_minutes: int = 0
    handling_cases: int = 0
    dispatched: int = 0
    handled: int = 0
    reworked: int = 0
    extended: int = 0
    returned: int = 0

    def add(self, other: "Figures") -> "Figures":
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def counters(self) -> dict:
        return {name: getattr(self, name) for name in COUNTERS}

    @property
    def due(self) -> int:
        return self.closed + self.overdue_open

    @property
    def late(self) -> int:
        """应结案 but not 按期结案: closed late, or overdue and still open."""
        return self.due - self.closed_on_time

    @property
    def register_rate(self):
        return _ratio(self.registered, self.reported)

    @property
    def close_rate(self):
        return _ratio(self.closed, self.due)

    @property
    def on_time_rate(self):
        return _ratio(self.closed_on_time, self.due)

    @property
    def rework_rate(self):
        return _ratio(self.reworked, self.handled)

    @property
    def extension_rate(self):
        return _ratio(self.extended, self.dispatched)

    @property
    def return_rate(self):
        return _ratio(self.returned, self.dispatched)

    @property
    def mean_handling_hours(self):
        return self.handling_minutes / self.handling_cases / 60 if self.handling_cases else None

    def rate(self, metric: str):
        return getattr(self, metric)

    def score(self, weights: dict) -> float | None:
        """综合指标值 (0–100) under `weights` {metric: percent}."""
        total = weighted = 0.0
        for metric, weight in weights.items():
            value = self.rate(metric)
            weight = float(weight)
            if value is None or weight <= 0:
                continue
            points = (1 - value) * 100 if metric in LOWER_IS_BETTER else value * 100
            total += weight
            weighted += weight * points
        return round(weighted / total, 2) if total else None


COUNTERS = tuple(f.name for f in fields(Figures) if f.name != "key")


def weights() -> dict[str, object]:
    """{metric: percent}: the office's rows, the defaults for any metric without one."""
    out = dict(DEFAULT_WEIGHTS)
    out.update(dict(PerformanceWeight.objects.active().values_list("metric", "weight")))
    return {Metric(m): w for m, w in out.items()}


# --- periods ---------------------------------------------------------------------------


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _key(value) -> str:
    return "" if value is None else str(value)


def _tz():
    return timezone.get_current_timezone()


# --- the computation -------------------------------------------------------------------


def _grouped(qs, field, key, by_day, start, end, **aggregates):
    """Aggregates of `qs` per (local day of `field` or None, key), `field` in [start, end)."""
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": start})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": end})
    if by_day:
        qs = qs.annotate(_day=TruncDate(field, tzinfo=_tz())).values("_day", key)
    else:
        qs = qs.values(key)
    for row in qs.annotate(**aggregates).order_by():
        yield row.get("_day"), _key(row[key]), row


def contributions(cases, events, dimension: str, *, start=None, end=None, now=None,
                  by_day=False, closed=True, overdue=True) -> dict[tuple, Figures]:
    """{(day or None, key): Figures} of the cases in `cases` and the events in `events`,
    counting what falls in [start, end) (aware datetimes; None = unbounded). This is the
    one definition: the roll-up, the live part and the tests' direct figures call it."""
    return contributions_by_dimension(cases, events, [dimension], start=start, end=end,
                                      now=now, by_day=by_day, closed=closed,
                                      overdue=overdue)[dimension]


def contributions_by_dimension(cases, events, dimensions, *, start=None, end=None, now=None,
                               by_day=False, closed=True,
                               overdue=True) -> dict[str, dict[tuple, Figures]]:
    """contributions() for several dimensions, each case's handling time computed once.
    `closed`/`overdue` False: the caller knows `cases` holds no closed / no open case (the
    live part's two sets), so those queries are not run."""
    now = now or timezone.now()
    result: dict[str, dict[tuple, Figures]] = {}
    for dimension in dimensions:
        out = result[dimension] = {}
        key = CASE_KEY[dimension]
        for day, k, row in _grouped(cases, "reported_at", key, by_day, start, end,
                                    n=Count("pk")):
            _fig(out, day, k).reported += row["n"]
        for day, k, row in _grouped(cases.filter(registered_at__isnull=False), "registered_at",
                                    key, by_day, start, end, n=Count("pk")):
            _fig(out, day, k).registered += row["n"]
        done = cases.filter(state=CaseState.CLOSED) if closed else cases.none()
        for day, k, row in _grouped(done, "closed_at", key, by_day, start, end, n=Count("pk"),
                                    ok=Count("pk", filter=ON_TIME)):
            f = _fig(out, day, k)
            f.closed += row["n"]
            f.closed_on_time += row["ok"]
        late = (cases.filter(state__in=OPEN_STATES, deadline_at__lt=now) if overdue
                else cases.none())
        for day, k, row in _grouped(late, "deadline_at", key, by_day, start, end,
                                    n=Count("pk")):
            _fig(out, day, k).overdue_open += row["n"]
        counted = events.filter(kind__in=list(EVENT_COUNTERS))
        for day, k, row in _event_rows(counted, EVENT_KEY[dimension], by_day, start, end):
            f = _fig(out, day, k)
            name = EVENT_COUNTERS[row["kind"]]
            setattr(f, name, getattr(f, name) + row["n"])
    keys = [CASE_KEY[d] for d in dimensions]
    for day, found, minutes in _handling(cases if closed else cases.none(), keys, by_day,
                                         start, end):
        for dimension, k in zip(dimensions, found, strict=True):
            f = _fig(result[dimension], day, k)
            f.handling_minutes += minutes
            f.handling_cases += 1
    return result


def _fig(out, day, key) -> Figures:
    found = out.get((day, key))
    if found is None:
        found = out[(day, key)] = Figures(key=key)
    return found


def _event_rows(events, key, by_day, start, end):
    if start is not None:
        events = events.filter(at__gte=start)
    if end is not None:
        events = events.filter(at__lt=end)
    if by_day:
        qs = events.annotate(_day=TruncDate("at", tzinfo=_tz())).values("_day", key, "kind")
    else:
        qs = events.values(key, "kind")
    for row in qs.annotate(n=Count("pk")).order_by():
        yield row.get("_day"), _key(row[key]), row


def _handling(cases, keys, by_day, start, end):
    """(closed day or None, [the case's key per dimension], working minutes from the last
    派遣 to the last 处置) per closed case."""
    closed = cases.filter(state=CaseState.CLOSED, dispatched_at__isnull=False,
                          handled_at__isnull=False)
    if start is not None:
        closed = closed.filter(closed_at__gte=start)
    if end is not None:
        closed = closed.filter(closed_at__lt=end)
    pauses = defaultdict(list)
    for case_id, p_start, p_end in (CasePause.objects.active()
                                    .filter(case__in=closed.values("pk"))
                                    .values_list("case_id", "start", "end")):
        pauses[case_id].append((p_start, p_end))
    cal = workclock.default_calendar()
    index = WorkIndex(cal)
    tz = _tz()
    rows = closed.values_list("pk", "closed_at", "dispatched_at", "handled_at", *keys).order_by()
    for pk, closed_at, dispatched_at, handled_at, *found in rows.iterator(chunk_size=5000):
        paused = pauses.get(pk)
        if paused:
            minutes = workclock.working_minutes(dispatched_at, handled_at, cal, paused)
        else:
            minutes = index.minutes(dispatched_at, handled_at)
        day = closed_at.astimezone(tz).date() if by_day else None
        yield day, [_key(k) for k in found], minutes


class WorkIndex:
    """workclock.working_minutes without pauses, in constant time: the working minutes
    from EPOCH to each day's start are summed once, so a span is the difference of two
    positions (the same calendar, minutes truncated as workclock takes them). The roll-up
    computes millions of handling times; tests check it against workclock."""

    EPOCH = date(2000, 1, 1)

    def __init__(self, cal):
        self.cal = cal
        self.tz = _tz()
        self.periods = [(p.hour * 60 + p.minute, q.hour * 60 + q.minute) for p, q in cal.periods]
        self.day_minutes = cal.day_minutes
        self.cum = [0]  # cum[i]: working minutes in [EPOCH, EPOCH + i days)

    def _position(self, moment) -> int | None:
        local = moment.astimezone(self.tz)
        day = local.date()
        i = (day - self.EPOCH).days
        if i < 0:
            return None
        cum = self.cum
        while len(cum) <= i:
            past = self.EPOCH + timedelta(days=len(cum) - 1)
            cum.append(cum[-1] + (self.day_minutes if self.cal.is_workday(past) else 0))
        if not self.cal.is_workday(day):
            return cum[i]
        m = local.hour * 60 + local.minute
        return cum[i] + sum(max(0, min(m, end) - start) for start, end in self.periods)

    def minutes(self, start, end) -> int:
        a, b = self._position(start), self._position(end)
        if a is None or b is None:
            return workclock.working_minutes(start, end, self.cal)
        return max(0, b - a)


# --- partition: roll-up, live ----------------------------------------------------------


def final_events():
    """Events that finished a case (a final state is never left)."""
    return CaseEvent.objects.filter(to_state__in=FINAL_STATES)


def watermark():
    state = CaseRollupState.objects.filter(pk=1).first()
    return state.watermark if state else None


def live(dimension, lo, hi, *, now, by_day=False, unit_id=None) -> dict[tuple, Figures]:
    """contributions() of what the roll-up does not hold: open cases, cases finished since
    the watermark, events since it (everything when nothing is rolled up yet). Three
    disjoint sets, each read through an index (state; events' time)."""
    mark = watermark()
    cases, events = Case.objects.all(), CaseEvent.objects.all()
    if unit_id is not None:
        cases, events = cases.filter(handling_unit_id=unit_id), events.filter(unit_id=unit_id)
    kw = {"start": lo, "end": hi, "now": now, "by_day": by_day}
    if mark is None:
        return contributions(cases, events, dimension, **kw)
    if by_day:
        out = contributions(cases.filter(state__in=OPEN_STATES), events.filter(at__gte=mark),
                            dimension, closed=False, **kw)
    else:
        out = _open_cases(cases.filter(state__in=OPEN_STATES), dimension, lo, hi, now)
        for k, f in contributions(Case.objects.none(), events.filter(at__gte=mark),
                                  dimension, closed=False, **kw).items():
            _fig(out, *k).add(f)
    finished = final_events().filter(at__gte=mark).values("case_id")
    more = contributions(cases.filter(state__in=FINAL_STATES, pk__in=finished),
                         CaseEvent.objects.none(), dimension, overdue=False, **kw)
    for k, f in more.items():
        _fig(out, *k).add(f)
    return out


def _open_cases(cases, dimension, lo, hi, now) -> dict[tuple, Figures]:
    """The open cases' figures in one pass (上报, 立案, 超期未结): contributions() asks three
    queries; the page asks this one, which the partial index of open cases answers alone
    (cases_case_open_perf, migration 0003)."""
    def counted(q: Q):  # of state (never null, in the index): the id is not in it
        return Count("state", filter=q) if q else Count("state")

    key = CASE_KEY[dimension]
    out: dict[tuple, Figures] = {}
    rows = cases.values(key).annotate(
        rep=counted(_in("reported_at", lo, hi)),
        reg=counted(Q(registered_at__isnull=False) & _in("registered_at", lo, hi)),
        due=counted(Q(deadline_at__lt=now) & _in("deadline_at", lo, hi)),
    ).order_by()
    for row in rows:
        f = _fig(out, None, _key(row[key]))
        f.reported += row["rep"]
        f.registered += row["reg"]
        f.overdue_open += row["due"]
    return out


def rolled_sets(since, until):
    """What a roll-up run from watermark `since` (None: the beginning) to `until` adds:
    cases whose final event is in [since, until), events in [since, until)."""
    finals = final_events().filter(at__lt=until)
    events = CaseEvent.objects.filter(at__lt=until)
    if since is not None:
        finals = finals.filter(at__gte=since)
        events = events.filter(at__gte=since)
    return Case.objects.filter(state__in=FINAL_STATES, pk__in=finals.values("case_id")), events


def _rolled(dimension, start, end, keys=None) -> dict[str, Figures]:
    qs = CaseDayStat.objects.filter(dimension=dimension)
    if start is not None:
        qs = qs.filter(day__gte=start)
    if end is not None:
        qs = qs.filter(day__lte=end)
    if keys is not None:
        qs = qs.filter(key__in=keys)
    out = {}
    for row in qs.values("key").annotate(**{n: Sum(n) for n in STORED}).order_by():
        out[row["key"]] = Figures(key=row["key"], **{n: row[n] or 0 for n in STORED})
    return out


def _by_key(parts: dict[tuple, Figures]) -> dict[str, Figures]:
    out: dict[str, Figures] = {}
    for (_, key), f in parts.items():
        out.setdefault(key, Figures(key=key)).add(f)
    return out


def _merge(into: dict[str, Figures], more: dict[str, Figures]) -> dict[str, Figures]:
    for key, f in more.items():
        into.setdefault(key, Figures(key=key)).add(f)
    return into


def bounds(start: date | None, end: date | None):
    return (day_start(start) if start else None,
            day_start(end + timedelta(days=1)) if end else None)


def direct(dimension, start: date | None, end: date | None, *, now=None, cases=None,
           events=None) -> dict[str, Figures]:
    """The figures straight from the case and event tables (no roll-up)."""
    lo, hi = bounds(start, end)
    cases = Case.objects.all() if cases is None else cases
    events = CaseEvent.objects.all() if events is None else events
    return _by_key(contributions(cases, events, dimension, start=lo, end=hi, now=now))


def figures(dimension, start: date | None, end: date | None, *, now=None,
            unit_id=None) -> dict[str, Figures]:
    """{key: Figures} for days start..end (None: unbounded), roll-up plus live part.

    `unit_id` restricts to one unit's work: its own row of the unit table, or for another
    dimension its cases and events (computed directly: one unit's share is small)."""
    now = now or timezone.now()
    if unit_id is not None and dimension != Dimension.UNIT:
        return direct(dimension, start, end, now=now,
                      cases=Case.objects.filter(handling_unit_id=unit_id),
                      events=CaseEvent.objects.filter(unit_id=unit_id))
    lo, hi = bounds(start, end)
    keys = [str(unit_id)] if unit_id is not None else None
    out = _rolled(dimension, start, end, keys) if watermark() is not None else {}
    return _merge(out, _by_key(live(dimension, lo, hi, now=now, unit_id=unit_id)))


def daily(dimension, counter: str, start: date, end: date, *, now=None,
          unit_id=None) -> dict[str, dict[date, int]]:
    """{key: {day: n}} of one stored counter (the heat map's cells)."""
    now = now or timezone.now()
    lo, hi = bounds(start, end)
    out: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    if unit_id is not None:
        parts = contributions(Case.objects.filter(handling_unit_id=unit_id),
                              CaseEvent.objects.filter(unit_id=unit_id), dimension,
                              start=lo, end=hi, now=now, by_day=True)
    else:
        if watermark() is not None:
            for key, day, n in (CaseDayStat.objects.filter(
                    dimension=dimension, day__gte=start, day__lte=end)
                    .values_list("key", "day", counter)):
                out[key][day] += n
        parts = live(dimension, lo, hi, now=now, by_day=True)
    for (day, key), f in parts.items():
        out[key][day] += getattr(f, counter)
    return out


# --- the cases behind a figure ---------------------------------------------------------

CASE_FIGURES = ("reported", "registered", "closed", "closed_on_time", "due", "late",
                "overdue_open", "handling")
EVENT_FIGURES = {"dispatched": (EventType.DISPATCH, EventType.REASSIGN),
                 "handled": (EventType.HANDLE,), "reworked": (EventType.CHECK_FAIL,),
                 "extended": (EventType.EXTENSION_APPROVE,), "returned": (EventType.RETURN,)}
FIGURE_LABELS = {
    "reported": "上报数", "registered": "立案数", "closed": "结案数", "closed_on_time": "按期结案数",
    "due": "应结案数", "late": "未按期结案数", "overdue_open": "超期未结案数",
    "handling": "计入处置用时的结案案件", "dispatched": "派遣数", "handled": "处置数",
    "reworked": "返工数", "extended": "延期数", "returned": "回退数",
}


def _in(field, lo, hi) -> Q:
    q = Q()
    if lo is not None:
        q &= Q(**{f"{field}__gte": lo})
    if hi is not None:
        q &= Q(**{f"{field}__lt": hi})
    return q


def _key_q(path: str, key: str) -> Q:
    return Q(**{f"{path}__isnull": True}) if key == "" else Q(**{path: key})


def cases_behind(queryset, figure: str, dimension: str, key: str, start: date | None,
                 end: date | None, *, now=None, unit_id=None):
    """The cases of `queryset` (already scoped by visible_to) behind one figure, as the
    definitions above count them. Event figures annotate `times`: how many of the events
    each case had (the figure counts events; a case returned twice counts twice).
    `unit_id`: one unit's share, as figures(unit_id=…) counts it (its events only)."""
    now = now or timezone.now()
    lo, hi = bounds(start, end)
    if figure in EVENT_FIGURES:
        match = Q(events__kind__in=EVENT_FIGURES[figure]) & _in("events__at", lo, hi)
        if dimension == Dimension.UNIT:
            match &= _key_q("events__unit_id", key)
        else:
            match &= _key_q(CASE_KEY[dimension], key)
        if unit_id is not None:
            match &= Q(events__unit_id=unit_id)
        return (queryset.filter(match).annotate(times=Count("events", filter=match))
                .order_by("-reported_at", "-pk"))
    if figure not in CASE_FIGURES:
        raise ValueError(figure)
    qs = queryset.filter(_key_q(CASE_KEY[dimension], key))
    if unit_id is not None:
        qs = qs.filter(handling_unit_id=unit_id)
    return qs.filter(figure_q(figure, lo, hi, now)).order_by("-reported_at", "-pk")


def figure_q(figure: str, lo, hi, now) -> Q:
    """The cases one case figure counts, [lo, hi) aware datetimes (None = unbounded)."""
    closed = Q(state=CaseState.CLOSED) & _in("closed_at", lo, hi)
    on_time = closed & ON_TIME
    overdue = Q(state__in=OPEN_STATES) & Q(deadline_at__lt=now) & _in("deadline_at", lo, hi)
    return {
        "reported": _in("reported_at", lo, hi),
        "registered": Q(registered_at__isnull=False) & _in("registered_at", lo, hi),
        "closed": closed,
        "closed_on_time": on_time,
        "due": closed | overdue,
        "late": (closed & ~ON_TIME) | overdue,
        "overdue_open": overdue,
        "handling": closed & Q(dispatched_at__isnull=False, handled_at__isnull=False),
    }[figure]


# --- the roll-up -----------------------------------------------------------------------


def roll_up(until: datetime | None = None, *, rebuild: bool = False) -> dict:
    """Add to CaseDayStat what became final in [watermark, until) and move the watermark
    to `until` (default: the start of today, local). One run at a time: the state row is
    locked for the run, so two runs never add the same cases twice. `rebuild` starts over
    from nothing (the roll-up is derived data)."""
    from django.db import connection, transaction

    until = until or day_start(timezone.localdate())
    with transaction.atomic():
        CaseRollupState.objects.get_or_create(pk=1)
        state = CaseRollupState.objects.select_for_update().get(pk=1)
        if rebuild:
            CaseDayStat.objects.all().delete()
            state.watermark = None
        since = state.watermark
        if since is not None and until <= since:
            return {"since": since, "until": since, "rows": 0}
        cases, events = rolled_sets(since, until)
        rows = 0
        if connection.vendor == "postgresql":
            parts = _rolled_parts_pg(cases, since, until)
        else:
            parts = contributions_by_dimension(cases, events, list(Dimension), now=until,
                                               by_day=True)
        for dimension in Dimension:
            rows += _store(dimension, parts[dimension])
        state.watermark = until
        state.save()
    return {"since": since, "until": until, "rows": rows}


def _store(dimension: str, parts: dict[tuple, Figures]) -> int:
    """Add `parts` to the stored rows (creating the missing ones)."""
    if not parts:
        return 0
    days = {day for day, _ in parts}
    existing = {(row.day, row.key): row for row in CaseDayStat.objects.filter(
        dimension=dimension, day__in=sorted(days)).iterator(chunk_size=5000)} \
        if CaseDayStat.objects.filter(dimension=dimension).exists() else {}
    new, changed = [], []
    for (day, key), f in parts.items():
        row = existing.get((day, key))
        if row is None:
            row = CaseDayStat(day=day, dimension=dimension, key=key)
            new.append(row)
        else:
            changed.append(row)
        for name in STORED:
            setattr(row, name, getattr(row, name) + getattr(f, name))
    _insert(new)
    CaseDayStat.objects.bulk_update(changed, STORED, batch_size=2000)
    return len(new) + len(changed)


def _insert(rows: list) -> None:
    """New roll-up rows: COPY on PostgreSQL (a rebuild writes a million), else bulk_create."""
    from django.db import connection

    if connection.vendor != "postgresql" or len(rows) < 5000:
        CaseDayStat.objects.bulk_create(rows, batch_size=2000)
        return
    columns = ("day", "dimension", "key", *STORED)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {CaseDayStat._meta.db_table} ({', '.join(columns)}) "
                                "FROM STDIN") as copy:
            for row in rows:
                copy.write_row([getattr(row, c) for c in columns])


# The same counters as contributions_by_dimension, for a roll-up on PostgreSQL: one pass
# over the cases and one over the events, each grouped by day and every dimension at once
# (GROUPING SETS). GROUPING(unit, grid, seg, typ, src) tells which set a row belongs to.
_SETS = {15: (Dimension.UNIT, 0), 23: (Dimension.GRID, 1), 27: (Dimension.SEGMENT, 2),
         29: (Dimension.TYPE, 3), 30: (Dimension.SOURCE, 4)}
_KEYS = "unit, grid, seg, typ, src"


def _grouping_sets(day: str, extra: str = "") -> str:
    return ", ".join(f"({day}{extra}, {k})" for k in _KEYS.split(", "))


def _rolled_parts_pg(cases, since, until) -> dict[str, dict[tuple, Figures]]:
    from django.db import connection

    tz = timezone.get_current_timezone_name()
    case_sql, case_params = cases.values("pk").order_by().query.sql_with_params()
    case_t, event_t = Case._meta.db_table, CaseEvent._meta.db_table
    version_t = Case._meta.get_field("type_version").related_model._meta.db_table
    on_time = ("c.deadline_at IS NOT NULL AND c.handled_at IS NOT NULL "
               "AND c.handled_at <= c.deadline_at")
    case_query = f"""
        WITH c AS MATERIALIZED (
          SELECT c.handling_unit_id AS unit, c.grid_id AS grid, c.segment_id AS seg,
                 v.case_type_id AS typ, c.source AS src,
                 (c.reported_at AT TIME ZONE %s)::date AS rep_day,
                 (c.registered_at AT TIME ZONE %s)::date AS reg_day,
                 CASE WHEN c.state = %s THEN (c.closed_at AT TIME ZONE %s)::date END AS closed_day,
                 (c.state = %s AND {on_time}) AS ok
          FROM {case_t} c JOIN {version_t} v ON v.id = c.type_version_id
          WHERE c.id IN ({case_sql}))
        SELECT 'reported', rep_day, {_KEYS}, GROUPING({_KEYS}), count(*), 0 FROM c
          GROUP BY GROUPING SETS ({_grouping_sets("rep_day")})
        UNION ALL
        SELECT 'registered', reg_day, {_KEYS}, GROUPING({_KEYS}), count(*), 0 FROM c
          WHERE reg_day IS NOT NULL GROUP BY GROUPING SETS ({_grouping_sets("reg_day")})
        UNION ALL
        SELECT 'closed', closed_day, {_KEYS}, GROUPING({_KEYS}), count(*),
               count(*) FILTER (WHERE ok) FROM c
          WHERE closed_day IS NOT NULL GROUP BY GROUPING SETS ({_grouping_sets("closed_day")})
    """
    params = [tz, tz, CaseState.CLOSED, tz, CaseState.CLOSED, *case_params]
    since_sql = "AND e.at >= %s" if since is not None else ""
    event_query = f"""
        WITH e AS MATERIALIZED (
          SELECT e.kind, (e.at AT TIME ZONE %s)::date AS day, e.unit_id AS unit,
                 c.grid_id AS grid, c.segment_id AS seg, v.case_type_id AS typ, c.source AS src
          FROM {event_t} e JOIN {case_t} c ON c.id = e.case_id
               JOIN {version_t} v ON v.id = c.type_version_id
          WHERE e.kind = ANY(%s) AND e.at < %s {since_sql})
        SELECT kind, day, {_KEYS}, GROUPING({_KEYS}), count(*) FROM e
          GROUP BY GROUPING SETS ({_grouping_sets("day", ", kind")})
    """
    event_params = [tz, [str(k) for k in EVENT_COUNTERS], until,
                    *([since] if since is not None else [])]
    parts: dict[str, dict[tuple, Figures]] = {d: {} for d in Dimension}
    with connection.cursor() as cursor:
        # The grouping of millions of rows spills to disk at the default 4 MB (this run
        # only: SET LOCAL ends with the roll-up's transaction).
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(case_query, params)
        for what, day, *row in cursor.fetchall():
            dimension, i = _SETS[row[5]]
            f = _fig(parts[dimension], day, _key(row[i]))
            if what == "closed":
                f.closed += row[6]
                f.closed_on_time += row[7]
            else:
                setattr(f, what, getattr(f, what) + row[6])
        cursor.execute(event_query, event_params)
        for kind, day, *row in cursor.fetchall():
            dimension, i = _SETS[row[5]]
            f = _fig(parts[dimension], day, _key(row[i]))
            name = EVENT_COUNTERS[kind]
            setattr(f, name, getattr(f, name) + row[6])
    dimensions = list(Dimension)
    for day, found, minutes in _handling(cases, [CASE_KEY[d] for d in dimensions], True,
                                         None, None):
        for dimension, k in zip(dimensions, found, strict=True):
            f = _fig(parts[dimension], day, k)
            f.handling_minutes += minutes
            f.handling_cases += 1
    return parts
