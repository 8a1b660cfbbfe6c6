"""The rhythm the speech sets (三(三)): weekly dispatch, monthly meeting, quarterly on-site
meeting, half-year evaluation — default dates on working days of the Chinese calendar."""

import calendar
from datetime import date, time, timedelta
from enum import StrEnum

from core.workdays import next_workday, previous_workday
from org.choices import Role
from supervision.choices import MeetingKind

DEFAULTS = {
    # kind: (title, start time, minutes, location)
    MeetingKind.WEEKLY_DISPATCH: ("每周工作调度", time(9, 0), 60, "领导小组办公室会议室"),
    MeetingKind.MONTHLY_MEETING: ("月度工作例会", time(15, 0), 120, "市政府第一会议室"),
    MeetingKind.QUARTERLY_ONSITE: ("季度现场推进会", time(8, 30), 240, "项目现场"),
    MeetingKind.HALF_YEAR_EVALUATION: ("半年阶段考评", time(9, 0), 180, "市政府第一会议室"),
}


def weekly_dates(year: int) -> list[date]:
    """Mondays (or the next working day when a Monday is a holiday), one per week."""
    day = date(year, 1, 1)
    day += timedelta(days=(7 - day.weekday()) % 7)
    dates = []
    while day.year == year:
        chosen = next_workday(day)
        if chosen - day < timedelta(days=5):  # a whole holiday week has no dispatch
            dates.append(chosen)
        day += timedelta(days=7)
    return dates


def monthly_dates(year: int) -> list[date]:
    """The last working day of each month."""
    return [previous_workday(date(year, m, calendar.monthrange(year, m)[1]))
            for m in range(1, 13)]


def quarterly_dates(year: int) -> list[date]:
    """Mid-month of each quarter's last month, on a working day."""
    return [next_workday(date(year, m, 15)) for m in (3, 6, 9, 12)]


def half_year_dates(year: int) -> list[date]:
    """Early in the month after each half year, when the half's figures are in."""
    return [next_workday(date(year, 7, 10)), next_workday(date(year + 1, 1, 10))]


SCHEDULES = {
    MeetingKind.WEEKLY_DISPATCH: weekly_dates,
    MeetingKind.MONTHLY_MEETING: monthly_dates,
    MeetingKind.QUARTERLY_ONSITE: quarterly_dates,
    MeetingKind.HALF_YEAR_EVALUATION: half_year_dates,
}


class Party(StrEnum):
    """Who sits at the meetings of the rhythm."""

    OFFICE = "office"    # 领导小组办公室: calls and runs every meeting
    BUREAU = "bureau"    # 督查局: reports on supervision at the larger meetings
    LEADERS = "leaders"  # 市级领导 whose 分包 holds a project of the meeting's plan
    UNITS = "units"      # 责任单位 with a project of the plan (leading or cooperating)


# The accounts of each party (roles not listed attend no meeting).
PARTY_OF_ROLE = {
    Role.OFFICE_ADMIN: Party.OFFICE,
    Role.OFFICE_STAFF: Party.OFFICE,
    Role.SUPERVISION: Party.BUREAU,
    Role.CITY_LEADER: Party.LEADERS,
    Role.UNIT_HEAD: Party.UNITS,
    Role.UNIT_REPORTER: Party.UNITS,
}

# Who attends each kind of meeting (三(三)): the office dispatches the responsible units
# every week; the monthly meeting, the quarterly on-site meeting and the half-year
# evaluation bring in the city leaders and the supervision bureau as well.
ATTENDEES: dict[str, frozenset[Party]] = {
    MeetingKind.WEEKLY_DISPATCH: frozenset({Party.OFFICE, Party.UNITS}),
    MeetingKind.MONTHLY_MEETING: frozenset({Party.OFFICE, Party.LEADERS, Party.BUREAU,
                                            Party.UNITS}),
    MeetingKind.QUARTERLY_ONSITE: frozenset({Party.OFFICE, Party.LEADERS, Party.BUREAU,
                                             Party.UNITS}),
    MeetingKind.HALF_YEAR_EVALUATION: frozenset({Party.OFFICE, Party.LEADERS, Party.BUREAU,
                                                 Party.UNITS}),
}


def kinds_attended_by(party) -> list[str]:
    return [kind for kind, parties in ATTENDEES.items() if party in parties]
