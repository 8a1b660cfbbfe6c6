"""The Chinese working calendar: public holidays and make-up workdays (调休).

Three sources, first match wins:

1. the office's own table, core.models.WorkdayOverride (管理后台“工作日调整”): a date
   declared a working day or a day off — for a year the package does not know yet, or to
   correct it (a local holiday, a late change of the State Council's 放假安排);
2. the `chinesecalendar` package (its data ends with the year it was released for);
3. beyond the package's data: Monday to Friday work, so the system keeps running in a new
   year. That guess is made visible: calendar_coverage_warning() (shown to the office) and
   a system check on `migrate` / `check --database default`.

A year counts as maintained by the office once the table holds at least one row for it
(the year's 放假安排 is entered as a whole: its days off and its 调休 days).

The table is read once and kept in memory (a cache of at most CACHE_SECONDS, so every
worker process sees an office edit within that time); saving or archiving a row clears the
cache of the process that saved it at once (signals in core.models).
"""

import threading
import time as monotonic_clock
from contextlib import contextmanager
from datetime import date, timedelta

import chinese_calendar
from django.core import checks

CACHE_SECONDS = 60.0
COVERAGE_DAYS = 60

_lock = threading.Lock()
_cache: dict = {"loaded": None, "overrides": {}, "years": frozenset(), "memo": {}}


def clear_cache() -> None:
    """Forget the override table and every memoised day (the next lookup reads the table)."""
    with _lock:
        _cache["loaded"] = None
        _cache["overrides"] = {}
        _cache["years"] = frozenset()
        _cache["memo"] = {}


@contextmanager
def use_overrides(overrides: dict[date, bool]):
    """Within the block, `overrides` stand for the office's table (tests, previews): no
    database is read; the cache is cleared on the way in and out."""
    clear_cache()
    with _lock:
        _cache["overrides"] = dict(overrides)
        _cache["years"] = frozenset(d.year for d in overrides)
        _cache["loaded"] = float("inf")  # never stale inside the block
    try:
        yield
    finally:
        clear_cache()


def _load() -> dict[date, bool]:
    from django.apps import apps
    from django.db import DatabaseError

    try:
        model = apps.get_model("core", "WorkdayOverride")
        return dict(model.objects.filter(archived_at__isnull=True)
                    .values_list("date", "is_workday"))
    except (LookupError, DatabaseError):
        return {}  # before migrate, or the table is unreachable: the package and weekdays
    except RuntimeError:
        return {}  # a test without database access (pytest-django refuses the query)


def _state() -> tuple[dict[date, bool], frozenset, dict]:
    now = monotonic_clock.monotonic()
    loaded = _cache["loaded"]
    if loaded is None or now - loaded > CACHE_SECONDS:
        overrides = _load()
        with _lock:
            _cache["overrides"] = overrides
            _cache["years"] = frozenset(d.year for d in overrides)
            _cache["memo"] = {}
            _cache["loaded"] = now
    return _cache["overrides"], _cache["years"], _cache["memo"]


def package_knows(day: date) -> bool:
    """Whether chinesecalendar has data for the day's year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_workday(day: date) -> bool:
    overrides, _years, memo = _state()
    found = memo.get(day)
    if found is not None:
        return found
    if day in overrides:
        found = overrides[day]
    else:
        try:
            found = chinese_calendar.is_workday(day)
        except NotImplementedError:  # a year the package does not know yet
            found = day.weekday() < 5
    memo[day] = found
    return found


def is_covered(day: date) -> bool:
    """The day's status is known (package data, or a year the office maintains), not guessed."""
    _overrides, years, _memo = _state()
    return day.year in years or package_knows(day)


def uncovered_days(today: date, days: int = COVERAGE_DAYS) -> list[date]:
    return [d for d in (today + timedelta(days=n) for n in range(days)) if not is_covered(d)]


def calendar_coverage_warning(today: date, days: int = COVERAGE_DAYS) -> str:
    """A Chinese warning for the office when the next `days` days are (partly) guessed;
    "" when all are known."""
    missing = uncovered_days(today, days)
    if not missing:
        return ""
    years = "、".join(str(y) for y in sorted({d.year for d in missing}))
    return (f"节假日数据未覆盖{years}年：自{missing[0]:%Y-%m-%d}起按周一至周五计算工作日，"
            f"案件处置时限可能有误。请在管理后台“工作日调整”中录入{years}年的放假和调休安排，"
            f"或升级chinesecalendar。")


def next_workday(day: date) -> date:
    """`day` itself when it is a working day, else the next one."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def previous_workday(day: date) -> date:
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


@checks.register(checks.Tags.database)
def check_calendar_coverage(app_configs=None, databases=None, **kwargs):
    """On `migrate` and `check --database default`: one query for the override table (a
    database check, so `check --deploy` without a database is not held up by it)."""
    if not databases:
        return []
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    clear_cache()
    text = calendar_coverage_warning(timezone.localdate(timezone=ZoneInfo("Asia/Shanghai")))
    if not text:
        return []
    return [checks.Warning(text, id="core.W101",
                           hint="管理后台 → 工作日调整：逐日录入放假日（非工作日）和调休上班日。")]
