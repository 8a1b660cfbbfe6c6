"""Row ids typed into query strings and forms (`?unit=12`, `remove=34`), parsed strictly.

`str.isdigit()` accepts '²' and '١' and `int()` accepts ' 7 ', '+7' and '1_000', so a check
with one followed by the other lets through values the other refuses (a 500) or reads
differently from what was sent. An id here is ASCII digits only, at most 18 of them: below
2**63, so within every integer key's range on SQLite and PostgreSQL (bigint).
"""

import re

from django.http import HttpResponseBadRequest

_ID = re.compile(r"[0-9]{1,18}")


def parse_id(value) -> int | None:
    """The id `value` spells, or None when it is not one."""
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    return None


def bad_request(reason: str) -> HttpResponseBadRequest:
    """A 400 whose body says why (plain text: there is no error page to carry it)."""
    return HttpResponseBadRequest(reason, content_type="text/plain; charset=utf-8")
