"""The Chinese working calendar: public holidays and make-up workdays (调休).

Backed by the `chinesecalendar` package; for years it does not cover yet, Monday to
Friday are taken as working days, so the system keeps running in a new year until
the package is updated.
"""

from datetime import date, timedelta

import chinese_calendar


def is_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not know yet
        return day.weekday() < 5


def next_workday(day: date) -> date:
    """`day` itself when it is a working day, else the next one."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def previous_workday(day: date) -> date:
    while not is_workday(day):
        day -= timedelta(days=1)
    return day
