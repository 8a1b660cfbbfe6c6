"""Dates as people read them: in local time (settings.TIME_ZONE), written the Chinese way.

Stored datetimes are aware and in UTC. `value.date()` or `f"{value:%Y年…}"` on one of them
gives the UTC day, which in Beijing is the day before until 08:00 — a bulletin issued at
01:30 would carry yesterday's date, and a frozen document can never be corrected. Every
date a person reads (pages, documents, exports, feeds, messages) goes through here;
templates use the filters in core/templatetags/cj.py (Django's own `|date` also converts).

Dates are written with Arabic numerals and no leading zeros (2026年11月29日), as
GB/T 9704-2012 (7.3.5) writes a 公文's 成文日期.
"""

from datetime import date, datetime

from django.utils import timezone


def local_datetime(value: datetime | None) -> datetime | None:
    """An aware datetime in local time; a naive one is taken to be local already."""
    if value is None:
        return None
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return timezone.localtime(value)


def local_date(value: datetime | date | None) -> date | None:
    """The local calendar day of a datetime (a date is returned as it is)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return local_datetime(value).date()
    return value


def today() -> date:
    """Today in local time (never `date.today()`, which follows the server's clock zone)."""
    return timezone.localdate()


def cn_date(value: datetime | date | None) -> str:
    """2026年11月29日 — the local day, Arabic numerals, no leading zeros."""
    day = local_date(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def cn_month_day(value: datetime | date | None) -> str:
    """11月29日 — for spans inside one year (通报期间, 材料期间)."""
    day = local_date(value)
    return f"{day.month}月{day.day}日" if day else ""


def cn_datetime(value: datetime | None) -> str:
    """2026年11月29日 01:30 in local time."""
    moment = local_datetime(value)
    return f"{cn_date(moment)} {moment:%H:%M}" if moment else ""
