"""Fuzz the whole served OpenAPI schema in-process: no input may give a server error.

Two parts, both driven by the schema served at /api/schema/ and both sent through the WSGI
application, signed in (token auth) as the office admin and as a unit reporter:

1. schemathesis: for every operation, the schema's boundary cases (coverage phase) and
   Hypothesis-generated requests, valid and invalid; check `not_a_server_error`.
2. a hostile-value sweep: every query parameter, path id and body field, one at a time,
   set to each value that has broken APIs like this one — ids beyond 32 and 64 bits and a
   27-digit one, NaN/Infinity/1e400, years 0, 1, 9999 and 99999, NUL bytes, over-long
   text — with the rest of the request valid, so the value reaches as deep as it can.
   Each answer must be below 500, and a 4xx must carry a reason.

Data: the cast and the ledger (tests/cast.py, tests/ledger_cast.py) plus a report, a
re-baseline request and an action item, built once in a fresh test database of its own;
each test runs in a transaction rolled back afterwards (the sweep rolls back every request).

Run with `scripts/fuzz_api` (the regular suite does not collect this module: its name does
not start with test_). DATABASE_URL=postgres://... runs it on PostgreSQL. Environment:
FUZZ_MAX_EXAMPLES (Hypothesis examples per operation and account, default 50), FUZZ_SEED.
"""

import json
import os
from datetime import timedelta

import pytest
import schemathesis
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

ACCOUNTS = ("office_admin", "reporter_a")
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "50"))
SEED = int(os.environ.get("FUZZ_SEED", "20240601"))
SCHEMA_URL = "/api/schema/?format=json"
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    # A database of its own, so the fuzz run never collides with a suite running beside it.
    from pytest_django.fixtures import _set_suffix_to_test_databases

    _set_suffix_to_test_databases(f"fuzz{os.getpid()}")


@pytest.fixture(scope="session")
def world(django_db_setup, django_db_blocker):
    """The cast, the ledger and one row for each workflow endpoint, committed once."""
    from decimal import Decimal

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from core.choices import ChangeSource
    from core.history import change_context
    from projects import actions as projects
    from supervision import actions as supervision
    from tests.cast import build_cast
    from tests.ledger_cast import build_ledger

    with django_db_blocker.unblock():
        cast = build_cast()
        ledger = build_ledger(cast)
        today = timezone.localdate()
        with change_context(ChangeSource.SYSTEM, label="接口模糊测试"):
            projects.do_submit_report(ledger.project_a, acting_user=cast.reporter_a,
                                      investment_period=Decimal("10"), progress_percent=10,
                                      period_start=_previous_period(ledger.project_a))
            projects.do_request_rebaseline(ledger.milestone_a2, today + timedelta(days=90),
                                           reason="征地延后", acting_user=cast.reporter_a)
            spare = projects.do_add_milestone(ledger.project_a, name="竣工验收",
                                              planned_date=today + timedelta(days=200))
            supervision.do_create_action_item(title="协调电力迁改", unit=cast.unit_a,
                                              deadline=today + timedelta(days=10),
                                              acting_user=cast.office_admin)
        tokens = {name: Token.objects.create(user=getattr(cast, name)).key for name in ACCOUNTS}
    return {"cast": cast, "ledger": ledger, "today": today, "tokens": tokens, "spare": spare}


def _previous_period(project):
    """Last period's start: the baseline body below files the current one."""
    from django.utils import timezone

    from projects.engine import reporting_for

    return timezone.localdate() - timedelta(days=reporting_for(project.plan).cycle_days)


@pytest.fixture(scope="session", autouse=True)
def _keep_the_test_connection():
    """Requests sent straight to the WSGI handler close "old" connections when they finish,
    which would end each test's transaction on PostgreSQL; Django's test client does the same."""
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture(scope="session")
def tokens(world):
    return world["tokens"]


@pytest.fixture(scope="session")
def api_schema(tokens, django_db_blocker):
    from config.wsgi import application

    with django_db_blocker.unblock():
        schema = schemathesis.openapi.from_wsgi(
            SCHEMA_URL, application, headers={"Authorization": f"Token {tokens['office_admin']}"})
    schema.config.seed = SEED
    return schema


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    # schemathesis 4.32's lazy loader reads Node._nodeid, which pytest 9 no longer has.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


# --- 1. schemathesis ------------------------------------------------------------------

schema = schemathesis.pytest.from_fixture("api_schema")
FUZZ_SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck), print_blob=True)


def _check(case, token):
    response = case.call(headers={"Authorization": f"Token {token}"})
    case.validate_response(response, checks=[not_a_server_error])


@schema.parametrize()
@FUZZ_SETTINGS
def test_office_admin_gets_no_server_error(case, tokens):
    _check(case, tokens["office_admin"])


@schema.parametrize()
@FUZZ_SETTINGS
def test_unit_reporter_gets_no_server_error(case, tokens):
    _check(case, tokens["reporter_a"])


# --- 2. hostile values ------------------------------------------------------------------


class Raw:
    """A JSON literal json.dumps cannot write (1e400 parses to infinity)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


BIG = "9" * 27
QUERY_VALUES = {
    "integer": ["-1", "0", "2147483648", "-2147483649", "9223372036854775808",
                "-9223372036854775809", BIG, "-" + BIG, "1.5", "1e400", "NaN", "a\x00"],
    "number": ["NaN", "Infinity", "-Infinity", "1e400", "9" * 40, "1e-400", "a\x00"],
    "date": ["0000-01-01", "0001-01-01", "9999-12-31", "99999-01-01", "2024-02-30", "a\x00"],
    "date-time": ["0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                  "99999-01-01T00:00:00Z", "a\x00"],
    "string": ["a\x00b", "长" * 5000],
    "boolean": ["2", "a\x00"],
}
PATH_VALUES = ["-1", "0", "2147483648", "9223372036854775808", BIG, "abc", "1.5", "%00"]
BODY_VALUES = {
    "integer": [-1, 0, 2**31, -(2**31) - 1, 2**63, -(2**63) - 1, 10**27, 1.5, 1e300,
                Raw("1e400"), Raw("-1e400"), BIG, None, True, "a\x00"],
    "number": ["NaN", "Infinity", "-Infinity", "1e400", "9" * 40, Raw("1e400"), None, "a\x00"],
    "date": ["0000-01-01", "0001-01-01", "1899-12-31", "9999-12-31", "99999-01-01", None,
             "a\x00"],
    "date-time": ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "99999-01-01T00:00:00Z",
                  "a\x00"],
    "string": ["a\x00b", "x" * 201, "长" * 20000, None, 10**27],
    "boolean": ["a\x00", 10**27, None],
}


def _baseline_bodies(world):
    """One valid body per operation that takes one: the sweep changes one field at a time."""
    ledger, cast, today = world["ledger"], world["cast"], world["today"]
    return {
        "POST /api/projects/reports/": {
            "project": ledger.project_a.pk, "investment_period": "20", "progress_percent": 20,
            "progress_text": "主体施工", "correction_note": "",
            "milestones_reached": [{"milestone": ledger.milestone_a2.pk, "date": str(today)}],
            "problems": [{"description": "电力迁改慢", "coordinate_with": "供电公司"}]},
        "POST /api/projects/reports/{id}/return/": {"reason": "数据有误"},
        "POST /api/projects/rebaselines/": {
            "milestone": world["spare"].pk, "new_date": str(today + timedelta(days=260)),
            "reason": "设计变更"},
        "POST /api/projects/rebaselines/{id}/approve/": {"note": "同意"},
        "POST /api/projects/rebaselines/{id}/reject/": {"note": "不同意"},
        "POST /api/supervision/action-items/": {
            "title": "督办", "detail": "尽快办理", "unit": cast.unit_a.pk,
            "deadline": str(today + timedelta(days=5))},
        "POST /api/supervision/action-items/{id}/respond/": {"text": "已办理"},
        "POST /api/supervision/action-items/{id}/close/": {"text": "办结"},
        "POST /api/supervision/action-items/{id}/return/": {"text": "请补充"},
        "POST /api/supervision/meetings/{id}/move/": {
            "date": str(today + timedelta(days=9)), "start_time": "15:00", "reason": "与市政府常务会冲突"},
        "POST /api/supervision/meetings/{id}/cancel/": {"reason": "并入月度调度会"},
        **_case_bodies(world),
    }


def _case_bodies(world):
    """/api/cases/: the report and each step's body (ids of rows the world may not hold
    fall back to 1: the sweep still sends every hostile value, answered 400 or 404)."""
    from cases.models import Case, CaseType

    cast = world["cast"]
    case_type = CaseType.objects.values_list("pk", flat=True).first() or 1
    case = Case.objects.values_list("pk", flat=True).first() or 1
    where = {"lon": 113.38, "lat": 34.51}
    step = "POST /api/cases/cases/{id}/"
    return {
        "POST /api/cases/cases/": {
            "case_type": case_type, "description": "井盖缺失", **where, "address": "人民路12号",
            "urgency": "normal", "source": "", "grid": None, "segment": None,
            "component": None, "idempotency_key": "fuzz-1", "photos": []},
        f"{step}accept/": {"note": "属实"},
        f"{step}register/": {"note": "符合立案标准"},
        f"{step}reject/": {"reason": "不属于城市管理范围"},
        f"{step}dispatch/": {"unit": cast.unit_a.pk, "note": "派遣"},
        f"{step}reassign/": {"unit": cast.unit_b.pk, "note": "改派"},
        f"{step}return/": {"reason": "非本单位职责", **where},
        f"{step}refuse-return/": {"reason": "属于本单位职责"},
        f"{step}handle/": {"note": "已处置", **where, "photos": []},
        f"{step}send-check/": {"inspector": None},
        f"{step}check/": {"passed": True, "note": "", **where, "photos": []},
        f"{step}close/": {"note": "结案"},
        f"{step}extension/": {"amount": 2, "unit": "hour", "reason": "材料未到"},
        f"{step}extension-decision/": {"approve": True, "note": "同意"},
        f"{step}hang/": {"reason": "需列入改造计划"},
        f"{step}unhang/": {"note": "已立项"},
        f"{step}supervise/": {"note": "请尽快处置"},
        f"{step}void/": {"reason": "录入错误"},
        f"{step}join/": {"note": "再次发现", **where, "photos": [], "idempotency_key": ""},
        f"{step}mark-duplicate/": {"of": case, "note": "同一问题"},
    }


def _resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = spec["components"]["schemas"][name]
    if isinstance(node, dict) and "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(spec, node["allOf"][0])
    return node


def _kind(node):
    if node.get("enum") is not None or node.get("type") in (None, "string"):
        fmt = node.get("format")
        if fmt == "decimal":
            return "number"
        return fmt if fmt in ("date", "date-time") else "string"
    return node["type"] if node["type"] in BODY_VALUES else None


def _leaves(spec, node, path=()):
    """(path, kind) for every scalar field of a request body, through arrays of objects."""
    node = _resolve(spec, node)
    if node.get("type") == "object" or "properties" in node:
        for name, child in node.get("properties", {}).items():
            child = _resolve(spec, child)
            if child.get("readOnly"):
                continue
            yield from _leaves(spec, child, (*path, name))
    elif node.get("type") == "array":
        yield from _leaves(spec, node["items"], (*path, 0))
        yield (path, "array")
    else:
        yield (path, _kind(node))


def _set(body, path, value):
    body = json.loads(json.dumps(body))
    target = body
    for key in path[:-1]:
        if isinstance(key, int):
            while len(target) <= key:
                target.append({})
        elif key not in target:
            target[key] = [] if isinstance(path[path.index(key) + 1], int) else {}
        target = target[key]
    if isinstance(path[-1], int):
        while len(target) <= path[-1]:
            target.append(None)
    target[path[-1]] = value
    return body


def _encode(body):
    raws = {}

    def default(value):
        if isinstance(value, Raw):
            key = f"__raw_{len(raws)}__"
            raws[key] = value.text
            return key
        raise TypeError(value)

    text = json.dumps(body, default=default, ensure_ascii=False)
    for key, literal in raws.items():
        text = text.replace(json.dumps(key), literal)
    return text


def _has_reason(response):
    try:
        data = json.loads(response.content or b"null")
    except ValueError:
        return False
    return bool(data)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_hostile_values_get_a_reason_not_a_server_error(account, world, django_db_blocker):
    client = Client(HTTP_AUTHORIZATION=f"Token {world['tokens'][account]}",
                    raise_request_exception=False)
    admin = Client(HTTP_AUTHORIZATION=f"Token {world['tokens']['office_admin']}")
    spec = admin.get(SCHEMA_URL).json()
    bodies = _baseline_bodies(world)
    ids = {}
    problems, baselines, sent = [], [], 0

    def send(method, path, query=None, body=None):
        nonlocal sent
        sent += 1
        with transaction.atomic():
            if method == "get":
                response = client.get(path, query or {})
            else:
                response = client.post(path, _encode(body if body is not None else {}),
                                       content_type="application/json", QUERY_STRING="")
            transaction.set_rollback(True)
        label = f"{method.upper()} {path} {query or ''} {_encode(body)[:200] if body else ''}"
        if response.status_code >= 500:
            problems.append(f"{response.status_code} {label}")
        elif response.status_code >= 400 and not _has_reason(response):
            problems.append(f"{response.status_code} without a reason: {label}")
        return response

    def some_id(template):
        collection = template.split("{id}")[0]
        if collection not in ids:
            rows = admin.get(collection).json()["results"]
            if not rows:  # the path still gets every hostile id; said, not skipped silently
                print(f"\nnote: no row behind {collection}; its detail paths answer 404")
            ids[collection] = rows[0]["id"] if rows else 1
        return ids[collection]

    for template, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            label = f"{method.upper()} {template}"
            path = template.replace("{id}", str(some_id(template))) if "{id}" in template \
                else template
            body_schema = (operation.get("requestBody", {}).get("content", {})
                           .get("application/json", {}).get("schema"))
            if body_schema is not None and label not in bodies:
                problems.append(f"{label}: no baseline body in the fuzz module (add one)")
                continue
            body = bodies.get(label)
            if "{id}" in template:
                for value in PATH_VALUES:
                    send(method, template.replace("{id}", value), body=body)
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                kind = _kind(_resolve(spec, parameter.get("schema", {})))
                for value in QUERY_VALUES.get(kind, QUERY_VALUES["string"]):
                    send(method, path, query={parameter["name"]: value}, body=body)
            if body_schema is None:
                continue
            baselines.append(f"{send(method, path, body=body).status_code} {label}")
            for field, kind in _leaves(spec, body_schema):
                values = BODY_VALUES.get(kind) or ["a\x00", 10**27, None]
                for value in values:
                    send(method, path, body=_set(body, field, value))
    print(f"\n{account}: {sent} hostile requests; the valid bodies they vary answered:",
          *baselines, sep="\n  ")
    assert not problems, "\n".join(problems)
