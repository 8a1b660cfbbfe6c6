"""What the database can hold, so that input outside it is refused before any query.

SQLite stores integers in 64 bits (a larger Python int raises OverflowError in the driver);
PostgreSQL's integer is 32 bits and bigint 64 (DEFAULT_AUTO_FIELD is BigAutoField). Django
reports the range of each field type for the connected database; these helpers read it.
"""

import re
from datetime import date

from django.db import connection

# Dates a person may enter through the API. The platform plans and reports within this
# century; the bounds keep date arithmetic (periods, deadlines, working days) far from
# Python's year 1 and 9999 and the results readable in local time.
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2099, 12, 31)

_INTEGER = re.compile(r"[+-]?[0-9]+")
# Longer than any database integer; also below Python's limit on converting long digit strings.
_MAX_DIGITS = 25


def integer_range(model_field) -> tuple[int | None, int | None]:
    """(min, max) the database accepts for an integer field, or for the key a relation points to.

    (None, None) when the field (or the key it points to) is not an integer.
    """
    field = getattr(model_field, "target_field", None) if model_field.is_relation else model_field
    if field is None:
        return None, None
    try:
        return connection.ops.integer_field_range(field.get_internal_type())
    except KeyError:
        return None, None


def pk_range(model, to_field_name: str | None = None) -> tuple[int | None, int | None]:
    field = model._meta.get_field(to_field_name) if to_field_name else model._meta.pk
    return integer_range(field)


def as_int(value) -> int | None:
    """The integer a form or query value spells, or None when it spells none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        text = value.strip()
        if len(text.lstrip("+-")) > _MAX_DIGITS:
            return -(10**_MAX_DIGITS) if text.startswith("-") else 10**_MAX_DIGITS
        return int(text)
    return None


def out_of_range(value, lo: int | None, hi: int | None) -> bool:
    number = as_int(value)
    return number is not None and (
        (lo is not None and number < lo) or (hi is not None and number > hi))
