"""Every id a write accepts is looked up within the writer's scope (issue 17 item 6).

A city leader once created an action item through the API whose `problem` was a report
problem of another unit's project (201), then read that problem's text on the item's page.

The tests here are generated: they walk every write endpoint of the REST API (its documented
request serializer, nested serializers included) and every form with model choices, and for
each field that takes an id they post a row the writing user may not see. The answer must
be a 404, or a 400 naming that field; nothing may be created. A new field is tested as soon
as it exists; a field over a model without row scope must be listed in UNSCOPED with its
reason, and a form whose page is not listed in PAGES fails until it is.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from unittest import mock

from django import forms
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.settings import spectacular_settings
from rest_framework import relations, serializers
from rest_framework.test import APIClient

from core.api.serializers import IdField
from core.forms import ScopedChoicesMixin
from core.scope import is_scoped, visible
from evaluation import actions as evaluation
from evaluation.presets import preset_scheme
from org import actions as org
from org.choices import UnitKind
from plans import actions as plans
from projects import actions as projects
from projects.actions import do_submit_report
from projects.models import ReportProblem
from supervision.choices import MeetingKind
from supervision.models import ActionItem, Meeting
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger

# Writers, narrowest scope first: for each field the first who may use the endpoint or page
# and who cannot see some row of the field's model does the posting.
WRITERS = ("city_leader", "reporter_a", "head_a", "reporter_b", "supervision", "office_staff",
           "office_admin")

# Fields over a model without visible_to(), each with why no scope is needed.
# Keys: "<METHOD> <path> <field path>" for the API, "<module>.<Form>.<field>" for forms.
UNSCOPED: dict[str, str] = {
    "maps.layer_views.LayerForm.layer":
        "geo.Layer has no row scope: the plan layers are the whole city's, shown to every role "
        "that sees the map, and only Cap.MANAGE_PROJECTS reaches the upload",
    "maps.layer_views.SourceChoiceForm.layer":
        "geo.Layer (as LayerForm.layer): the second step of the same upload",
    "cases.forms.SendCheckForm.inspector":
        "派发核查: the desk picks an active inspector without reading the account directory; "
        "the choices are narrowed to active inspectors and do_send_check checks the role",
}

# Forms with model choices that do not derive from ScopedChoicesMixin yet, and why. Their
# fields are still posted out of scope below; an entry whose form has been converted fails.
NOT_YET_MIXIN: dict[str, str] = {}

LOCAL_APPS = {"core", "org", "plans", "projects", "supervision", "evaluation", "maps", "geo",
              "cases"}


@dataclass
class Page:
    """Where a form is posted: the URL and the fields beside the one under test."""

    url: Callable[[object], str]
    data: Callable[[object], dict]
    prefix: str = ""


# The page of each form with model choices (`fx` is the test case, with cast and ledger).
PAGES: dict[str, Page] = {
    "projects.forms.ReportForm": Page(
        url=lambda fx: f"/projects/{fx.ledger.project_a.pk}/report/",
        data=lambda fx: {"investment_period": "1", "progress_percent": "10",
                         "progress_text": "主体施工", "milestone_date": "2026-05-19"}),
    "projects.forms.AttachmentForm": Page(
        url=lambda fx: f"/projects/{fx.ledger.project_a.pk}/attachments/", data=lambda fx: {}),
    "supervision.forms.ActionItemForm": Page(
        url=lambda fx: "/supervision/items/",
        data=lambda fx: {"title": "限期完成管线迁改", "deadline": "2026-06-30",
                         "unit": fx.cast.unit_a.pk}),
    "supervision.forms.EscalationProposalForm": Page(
        url=lambda fx: "/supervision/escalations/propose/",
        data=lambda fx: {"unit": fx.cast.unit_a.pk, "level": "reminder",
                         "reason": "连续两期未报送进度"}),
    "evaluation.forms.AdjustmentForm": Page(
        url=lambda fx: f"/evaluation/{fx.evaluation.pk}/",
        data=lambda fx: {"step": "adjust", "unit": fx.cast.unit_a.pk, "points": "1",
                         "reason": "省级表扬"}),
    "evaluation.forms.EvaluationForm": Page(
        url=lambda fx: "/evaluation/",
        data=lambda fx: {"period_start": "2026-01-01", "period_end": "2026-06-30"}),
    "projects.views_ledger.ImportForm": Page(
        url=lambda fx: "/projects/import/", data=lambda fx: {"plan": fx.cast.plan.pk}),
    # 派遣 of a registered case (a refused write answers 302 with a message, nothing changes).
    "cases.forms.UnitChoiceForm": Page(
        url=lambda fx: f"/cases/{fx.case_registered.pk}/step/dispatch/", data=lambda fx: {}),
    "cases.forms_field.ReportForm": Page(
        url=lambda fx: "/cases/field/report/",
        data=lambda fx: {"description": "路边暴露垃圾", "urgency": "normal", "lon": "113.38",
                         "lat": "34.51", "source": "hotline"}),
}


def plant_rows_out_of_reach(fx):
    """Rows some writer cannot see, for every model a write takes an id of."""
    cast, ledger = fx.cast, fx.ledger
    # A problem reported on unit B's project: outside the leader's and unit A's scope.
    do_submit_report(ledger.project_b, acting_user=cast.reporter_b,
                     investment_period=Decimal("10"), progress_percent=5,
                     problems=[("电力管线迁改未完成", "供电公司")])
    do_submit_report(ledger.project_a, acting_user=cast.reporter_a,
                     investment_period=Decimal("10"), progress_percent=5,
                     problems=[("征迁尚有3户未签约", "")])
    projects.do_add_milestone(ledger.project_b, name="设备安装",
                              planned_date=timezone.localdate() + dt.timedelta(days=30))
    # Shared tables are scoped to their live rows: archived ones are out of everyone's reach.
    org.do_create_unit(name="已撤销局", kind=UnitKind.CITY_DEPT).archive()
    plans.do_create_plan(name="已废止计划", start_year=2020, end_year=2021).archive()
    plans.do_add_taxonomy(cast.plan, "category", code="OLD", name="停用类别").archive()
    meeting = dict(plan=cast.plan, kind=MeetingKind.MONTHLY_MEETING, start_time=dt.time(9),
                   title="月度工作例会")
    Meeting.objects.create(date=dt.date(2026, 5, 29), **meeting)
    Meeting.objects.create(date=dt.date(2026, 4, 29), **meeting).archive()
    fx.evaluation = evaluation.do_create_evaluation(
        scheme=preset_scheme("investment_led", acting_user=cast.office_admin),
        period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 5, 20),
        acting_user=cast.office_admin)
    preset_scheme("comprehensive", acting_user=cast.office_admin).archive()  # a retired scheme
    _plant_cases(fx)


def _plant_cases(fx):
    """Cases' base data scoped to live rows (archived ones are out of everyone's reach), a
    case dispatched to each of unit A and B (B's is outside reporter_a's scope) and a
    registered one for the dispatch page."""
    from cases import actions as cases
    from cases.models import CaseType, Component
    from cases.tests.test_api import build_world

    class World:
        cast = fx.cast

    build_world(World)
    CaseType.objects.filter(pk=World.cover.case_type_id).update(archived_at=timezone.now())
    World.far_grid.archive()
    World.far_segment.archive()
    Component.objects.create(code="4199010101000002", type_code="0101", lon=113.38,
                             lat=34.51).archive()
    staff = fx.cast.office_staff

    def registered():
        case = cases.do_report_case(acting_user=staff, type_version=World.garbage,
                                    description="路边暴露垃圾", lon=113.38, lat=34.51)
        cases.do_accept(case, acting_user=staff)
        return cases.do_register(case, acting_user=staff)

    for unit in (fx.cast.unit_a, fx.cast.unit_b):
        cases.do_dispatch(registered(), acting_user=staff, unit=unit)
    fx.case_registered = registered()


def row_counts() -> dict[str, int]:
    """Rows of every table of the project's own apps (a write that slipped through adds one)."""
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()
            if m._meta.app_label in LOCAL_APPS}


def out_of_reach(model, user):
    return (model._base_manager.exclude(pk__in=visible(model, user).values("pk"))
            .order_by("pk").first())


# --- the API -------------------------------------------------------------------------


def write_endpoints():
    """(method, path, view class, request serializer) of every write the API documents."""
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    for path, _, method, view in generator._get_paths_and_endpoints():
        if method not in ("POST", "PUT", "PATCH"):
            continue
        view.request = spectacular_settings.GET_MOCK_REQUEST(method, path, view, None)
        view.schema.path, view.schema.method = path, method
        serializer = view.schema.get_request_serializer()
        if isinstance(serializer, type):
            serializer = serializer()
        if serializer is not None:
            yield method, path, type(view), serializer


def id_fields(serializer, path=()):
    """(field path, model, field) of every writable field that takes an id, nested ones too.
    A list index in the path is 0 (the payload holds one item)."""
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        here = (*path, name)
        if isinstance(field, serializers.ListSerializer):
            yield from id_fields(field.child, (*here, 0))
        elif isinstance(field, serializers.Serializer):
            yield from id_fields(field, here)
        elif isinstance(field, relations.ManyRelatedField):
            yield (*here, 0), field.child_relation.queryset.model, field.child_relation
        elif isinstance(field, relations.RelatedField):
            yield here, field.queryset.model, field
        elif isinstance(field, IdField):
            yield here, field.model, field
        elif isinstance(field, serializers.ListField) and isinstance(
                field.child, (relations.RelatedField, IdField)):
            child = field.child
            model = child.model if isinstance(child, IdField) else child.queryset.model
            yield (*here, 0), model, child


def nest(path, value):
    for key in reversed(path):
        value = [value] if isinstance(key, int) else {key: value}
    return value


def error_at(body, path) -> bool:
    """Whether a DRF error body holds an error for the field at `path`."""
    node = body
    for key in path:
        if isinstance(key, int) and isinstance(node, list):
            if node and all(isinstance(x, str) for x in node):  # a many-relation's, not per item
                return True
            if len(node) <= key:
                return False
            node = node[key]
        elif isinstance(node, dict) and str(key) in node:  # a list's errors: {"0": {...}}
            node = node[str(key)]
        else:
            return False
    return bool(node)


def dotted(path) -> str:
    return ".".join(str(k) for k in path)


@on_mid_may_2026
class ApiWriteScopeTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        plant_rows_out_of_reach(cls)

    def api(self, user):
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(user)
        return client

    def cases(self):
        for method, path, view_class, serializer in write_endpoints():
            for field_path, model, field in id_fields(serializer):
                yield f"{method} {path} {dotted(field_path)}", method, path, view_class, \
                    field_path, model, field

    def test_the_walk_finds_the_known_id_fields(self):
        found = {key for key, *_ in self.cases()}
        for key in ("POST /api/supervision/action-items/ unit",
                    "POST /api/supervision/action-items/ meeting",
                    "POST /api/supervision/action-items/ problem",
                    "POST /api/projects/rebaselines/ milestone",
                    "POST /api/projects/reports/ project",
                    "POST /api/projects/reports/ milestones_reached.0.milestone"):
            self.assertIn(key, found)

    def test_unscoped_fields_are_exactly_the_listed_ones(self):
        for key, *_, model, field in self.cases():
            with self.subTest(field=key):
                if getattr(field, "unscoped", ""):
                    self.assertIn(key, UNSCOPED, "an unscoped field needs its reason in UNSCOPED")
                else:
                    self.assertTrue(is_scoped(model),
                                    f"{model._meta.label} has no visible_to(): give it one, or "
                                    "declare the field unscoped=… and list it in UNSCOPED")

    def test_every_id_outside_the_writers_scope_is_refused_and_nothing_is_created(self):
        for key, method, path, view_class, field_path, model, _ in self.cases():
            if key in UNSCOPED:
                continue
            with self.subTest(field=key):
                self.assert_refused_for_some_writer(method, path, view_class, field_path, model)

    def assert_refused_for_some_writer(self, method, path, view_class, field_path, model):
        tried = []
        for member in WRITERS:
            user = getattr(self.cast, member)
            row = out_of_reach(model, user)
            if row is None:
                tried.append(f"{member}: sees every {model._meta.label}")
                continue
            url = path
            if "{id}" in path:  # an action on a row the writer can see
                target = visible(view_class.model, user).first()
                if target is None:
                    tried.append(f"{member}: sees no {view_class.model._meta.label}")
                    continue
                url = path.replace("{id}", str(target.pk))
            before = row_counts()
            response = self.api(user).generic(method, url, data=json.dumps(nest(field_path, row.pk)),
                                              content_type="application/json")
            self.assertEqual(row_counts(), before, f"{member} created a row")
            if response.status_code == 403:
                tried.append(f"{member}: may not write here")
                continue
            body = response.json()
            refused = response.status_code == 404 or (
                response.status_code == 400 and error_at(body, field_path))
            self.assertTrue(refused, f"{member} posted {model._meta.label} #{row.pk} (out of "
                                     f"scope): {response.status_code} {body}")
            return
        self.fail("no writer could try an out-of-scope id; plant a row in "
                  f"plant_rows_out_of_reach: {tried}")

    # The attack the probe found, end to end, and that in-scope ids still work.

    def problem(self, project):
        return ReportProblem.objects.get(project=project)

    def test_a_leader_cannot_issue_an_item_on_a_problem_outside_his_scope(self):
        leader = self.api(self.cast.city_leader)
        payload = {"title": "协调电力迁改", "unit": self.cast.unit_a.pk, "deadline": "2026-06-30"}
        response = leader.post("/api/supervision/action-items/",
                               {**payload, "problem": self.problem(self.ledger.project_b).pk},
                               format="json")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("对象不存在", response.json()["problem"][0])
        self.assertFalse(ActionItem.objects.exists())
        response = leader.post("/api/supervision/action-items/",
                               {**payload, "problem": self.problem(self.ledger.project_a).pk},
                               format="json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(ActionItem.objects.get().project, self.ledger.project_a)

    def test_the_page_refuses_the_same_problem(self):
        self.client.force_login(self.cast.city_leader)
        response = self.client.post("/supervision/items/", {
            "title": "协调电力迁改", "unit": self.cast.unit_a.pk, "deadline": "2026-06-30",
            "problem": self.problem(self.ledger.project_b).pk})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(ActionItem.objects.exists())

    def test_a_nested_milestone_of_another_units_project_is_refused(self):
        other = self.ledger.project_b.milestones.get()
        response = self.api(self.cast.reporter_a).post("/api/projects/reports/", {
            "project": self.ledger.project_a.pk, "investment_period": "1", "progress_percent": 5,
            "milestones_reached": [{"milestone": other.pk, "date": "2026-05-19"}]},
            format="json")
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("不存在或无权查看", str(response.json()["milestones_reached"]))

    def test_an_input_serializer_without_the_request_fails_loudly(self):
        from django.core.exceptions import ImproperlyConfigured

        from supervision.api import ActionItemSerializer

        data = ActionItemSerializer(data={"title": "x", "unit": self.cast.unit_a.pk,
                                          "deadline": "2026-06-30"})
        with self.assertRaises(ImproperlyConfigured):
            data.is_valid()

    def test_scoping_an_id_costs_one_query(self):
        leader = self.api(self.cast.city_leader)
        body = {"problem": self.problem(self.ledger.project_b).pk}
        leader.post("/api/supervision/action-items/", body, format="json")  # warm caches
        with CaptureQueriesContext(connection) as queries:
            leader.post("/api/supervision/action-items/", body, format="json")
        problem_queries = [q for q in queries if "projects_reportproblem" in q["sql"]]
        self.assertEqual(len(problem_queries), 1, [q["sql"] for q in problem_queries])


# --- the forms -----------------------------------------------------------------------


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def choice_forms() -> dict[str, type]:
    """Module-level form classes of the project's apps that have model choice fields
    (the admin's forms are Django's ModelAdmin business and are left out)."""
    get_resolver().url_patterns  # noqa: B018 -- imports every view module and its forms
    found = {}
    for cls in _subclasses(forms.BaseForm):
        module = cls.__module__
        if module.split(".")[0] not in LOCAL_APPS or module.split(".")[-1] == "admin":
            continue
        if "tests" in module.split(".") or getattr(__import__(module, fromlist=["x"]),
                                                   cls.__name__, None) is not cls:
            continue  # test helpers and classes built on the fly (a FilterSet's form)
        if any(isinstance(f, forms.ModelChoiceField) for f in cls.base_fields.values()):
            found[f"{module}.{cls.__qualname__}"] = cls
    return found


def choice_fields(cls) -> dict[str, forms.ModelChoiceField]:
    return {name: f for name, f in cls.base_fields.items()
            if isinstance(f, forms.ModelChoiceField)}


@on_mid_may_2026
class FormWriteScopeTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)
        plant_rows_out_of_reach(cls)

    def test_the_walk_finds_the_known_forms(self):
        self.assertLessEqual({"projects.forms.ReportForm", "projects.forms.AttachmentForm",
                              "supervision.forms.ActionItemForm",
                              "evaluation.forms.AdjustmentForm"}, set(choice_forms()))

    def test_every_form_with_model_choices_scopes_them(self):
        for key, cls in choice_forms().items():
            with self.subTest(form=key):
                fields = choice_fields(cls)
                unscoped = {name for name in fields if f"{key}.{name}" in UNSCOPED}
                for name in set(fields) - unscoped:
                    model = fields[name].queryset.model
                    self.assertTrue(is_scoped(model), f"{key}.{name}: {model._meta.label} has "
                                                      "no visible_to(); list it in UNSCOPED")
                if unscoped == set(fields):
                    continue
                if issubclass(cls, ScopedChoicesMixin):
                    self.assertNotIn(key, NOT_YET_MIXIN, "converted: remove it from NOT_YET_MIXIN")
                else:
                    self.assertIn(key, NOT_YET_MIXIN, "derive it from core.forms.ScopedChoicesMixin")
                self.assertIn(key, PAGES, "say in PAGES where the form is posted")

    def test_listed_exceptions_are_still_needed(self):
        found = choice_forms()
        for key in UNSCOPED:
            if " /api/" in key:
                continue
            module_form, name = key.rsplit(".", 1)
            self.assertIn(name, choice_fields(found[module_form]), key)
        self.assertLessEqual(set(NOT_YET_MIXIN) | set(PAGES), set(found))

    def test_every_form_refuses_a_row_outside_the_writers_scope(self):
        for key, cls in choice_forms().items():
            for name, field in choice_fields(cls).items():
                if f"{key}.{name}" in UNSCOPED:
                    continue
                with self.subTest(field=f"{key}.{name}"):
                    self.assert_refused_for_some_writer(key, cls, name, field)

    def assert_refused_for_some_writer(self, key, cls, name, field):
        page, model, tried = PAGES[key], field.queryset.model, []
        for member in WRITERS:
            user = getattr(self.cast, member)
            row = out_of_reach(model, user)
            if row is None:
                tried.append(f"{member}: sees every {model._meta.label}")
                continue
            value = [row.pk] if isinstance(field, forms.ModelMultipleChoiceField) else row.pk
            data = {**page.data(self), f"{page.prefix}{name}": value}
            self.client.force_login(user)
            validated = []
            original = forms.BaseForm.full_clean

            def spy(form, validated=validated, original=original):
                validated.append(form)
                return original(form)

            before = row_counts()
            with mock.patch.object(forms.BaseForm, "full_clean", spy):
                response = self.client.post(page.url(self), data)
            self.assertEqual(row_counts(), before, f"{member} created a row")
            mine = [f for f in validated if type(f) is cls]
            if not mine:
                tried.append(f"{member}: {response.status_code}, the form was not reached")
                continue
            self.assertIn(name, mine[0].errors,
                          f"{member} chose {model._meta.label} #{row.pk} (out of scope)")
            return
        self.fail(f"no writer reached the form with an out-of-scope id: {tried}")

