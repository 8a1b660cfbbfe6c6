"""The scheme editor: each rule refused with its Chinese message (by the action and on the
page, never a 500), versions that never change once published, and only the office may
edit or publish."""

from decimal import Decimal

from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation import actions
from evaluation.choices import Fact, Formula, VersionStatus
from evaluation.models import (
    Evaluation,
    ItemParameter,
    Scheme,
    SchemeItem,
    SchemeVersion,
    UnitScore,
)
from evaluation.presets import preset_scheme
from evaluation.validation import ItemSpec
from tests.base import CastTestCase

D = Decimal
GOOD = [ItemSpec(Fact.INVESTMENT, Formula.RATIO, D(60), {"cap": D(1)}),
        ItemSpec(Fact.MILESTONES, Formula.PER_POINT, D(30), {"baseline": D(100)}),
        ItemSpec(Fact.REPORTS, Formula.PER_OCCURRENCE, D(10), {"per_item": D("0.5")})]


def editor_post(rows, total="100", bonus="5", deduction="10", note="") -> dict:
    """The editor form as a browser posts it: settings and a formset of rows."""
    data = {"total_points": total, "bonus_cap": bonus, "deduction_cap": deduction, "note": note,
            "items-TOTAL_FORMS": str(len(rows)), "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0", "items-MAX_NUM_FORMS": "30"}
    for i, row in enumerate(rows):
        data.update({f"items-{i}-{key}": value for key, value in row.items()})
    return data


class SchemeRulesTests(CastTestCase):
    """Each rule, through the action: the draft is refused and keeps what it had."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.office = cls.cast.office_admin
        cls.scheme = actions.do_create_scheme(name="区县考评方案", acting_user=cls.office)
        cls.draft = cls.scheme.draft

    def save(self, items=GOOD, total=100, bonus=5, deduction=10):
        return actions.do_save_draft(self.draft, total_points=total, bonus_cap=bonus,
                                     deduction_cap=deduction, items=items,
                                     acting_user=self.office)

    def refused(self, message, **kwargs):
        with self.assertRaises(ValidationError) as caught:
            self.save(**kwargs)
        self.assertIn(message, caught.exception.messages)
        self.assertFalse(SchemeItem.objects.filter(version=self.draft).exists())

    def test_a_good_draft_is_saved_with_its_parameters_as_numbers(self):
        self.save()
        items = list(self.draft.items.order_by("order"))
        self.assertEqual([(i.fact, i.points) for i in items],
                         [(Fact.INVESTMENT, 60), (Fact.MILESTONES, 30), (Fact.REPORTS, 10)])
        # Blank parameters take the library's defaults; a deduction cap defaults to the points.
        self.assertEqual(items[1].params(), {"baseline": D(100), "per_point": D(1), "floor": 0})
        self.assertEqual(items[2].params(), {"per_item": D("0.5"), "cap": D(10)})
        self.assertTrue(all(isinstance(p.value, Decimal) for p in ItemParameter.objects.all()))

    def test_weights_must_add_up_to_the_full_points_to_publish(self):
        self.save(items=GOOD[:2])  # 60 + 30: a draft may be unfinished
        with self.assertRaises(ValidationError) as caught:
            actions.do_publish_version(self.draft, acting_user=self.office)
        self.assertEqual(caught.exception.messages,
                         ["各项分值合计90分，应等于满分100分（相差10分）。"])
        self.draft.refresh_from_db()
        self.assertEqual(self.draft.status, VersionStatus.DRAFT)
        self.assertIsNone(self.scheme.current_version)

    def test_a_scheme_needs_an_item_to_publish(self):
        with self.assertRaisesMessage(ValidationError, "方案至少需要一个考评项目。"):
            actions.do_publish_version(self.draft, acting_user=self.office)

    def test_caps_are_bounded(self):
        self.refused("加分上限应在0至20分之间（满分的20%以内）。", bonus=25)
        self.refused("扣分上限应在0至20分之间（满分的20%以内）。", deduction=-1)
        self.refused("满分应大于0且不超过1000分。", total=0)

    def test_parameters_must_be_in_range(self):
        for formula, points, params, message in (
                (Formula.RATIO, 60, {"cap": D(0)}, "“满分完成率（1即100%）”应大于0且不超过2。"),
                (Formula.RATIO, 60, {"cap": D(3)}, "“满分完成率（1即100%）”应大于0且不超过2。"),
                (Formula.PER_POINT, 60, {"baseline": D(250)}, "“基准（%）”应不小于0且不超过200。"),
                (Formula.PER_POINT, 60, {"floor": D(70)}, "“最低得分”应不小于0且不超过60。"),
                (Formula.PER_POINT, 60, {"per_point": D(0)}, "“每百分点分值”应大于0且不超过60。"),
                (Formula.RANK, 60, {"step": D(-1)}, "“每名次递减分值”应大于0且不超过60。")):
            with self.subTest(formula=formula, params=params):
                spec = ItemSpec(Fact.INVESTMENT, formula, D(points), params)
                self.refused(f"第1项：{message}", items=[spec, *GOOD[1:]])
        for params, message in (({"per_item": D(0)}, "“每次扣分”应大于0且不超过10。"),
                                ({"cap": D(11)}, "“扣分上限”应不小于0且不超过10。")):
            with self.subTest(params=params):
                spec = ItemSpec(Fact.REPORTS, Formula.PER_OCCURRENCE, D(10), params)
                self.refused(f"第3项：{message}", items=[*GOOD[:2], spec])

    def test_the_formula_must_come_from_the_library_and_fit_the_fact(self):
        self.refused("第1项：没有“magic”这种计分方法，请从计分方法库中选择。",
                     items=[ItemSpec(Fact.INVESTMENT, "magic", D(60)), *GOOD[1:]])
        self.refused("第1项：“每次扣分（封顶）”按逾期的条数扣分，只能用于节点、填报、交办事项和整改。",
                     items=[ItemSpec(Fact.INVESTMENT, Formula.PER_OCCURRENCE, D(60)), *GOOD[1:]])

    def test_the_fact_must_be_known_and_the_points_within_the_total(self):
        self.refused("第1项：请从列表中选择考评指标。",
                     items=[ItemSpec("weather", Formula.RATIO, D(60)), *GOOD[1:]])
        for points in (D(0), D(-5), D(150)):
            with self.subTest(points=points):
                self.refused("第1项：分值应大于0且不超过满分100分。",
                             items=[ItemSpec(Fact.INVESTMENT, Formula.RATIO, points), *GOOD[1:]])


class SchemeEditorPageTests(CastTestCase):
    """The same rules on the page: messages beside the fields, 400, nothing saved."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.office = cls.cast.office_admin
        cls.scheme = actions.do_create_scheme(name="区县考评方案", acting_user=cls.office)
        cls.draft = cls.scheme.draft

    def post(self, data, url=None):
        self.client.force_login(self.office)
        return self.client.post(url or self.draft.get_absolute_url(), data)

    def test_the_office_builds_and_publishes_a_scheme_on_the_page(self):
        self.client.force_login(self.office)
        response = self.client.post("/evaluation/schemes/", {"name": "新方案", "preset": ""})
        scheme = Scheme.objects.get(name="新方案")
        self.assertRedirects(response, scheme.draft.get_absolute_url())
        draft = scheme.draft
        rows = [{"fact": "investment", "formula": "ratio", "points": "60", "ratio__cap": "1"},
                {"fact": "milestones", "formula": "per_point", "points": "30",
                 "per_point__baseline": "95", "per_point__per_point": "0.5",
                 "ratio__cap": "9"},  # another formula's field: ignored
                {"fact": "reports", "formula": "ratio", "points": "10"},
                {"fact": "action_items", "formula": "ratio", "points": "5", "DELETE": "on"},
                {"fact": "", "formula": "ratio", "points": ""}]  # the blank extra row
        response = self.post(editor_post(rows, note="投资权重调为60"), draft.get_absolute_url())
        self.assertRedirects(response, draft.get_absolute_url())
        self.assertEqual([(i.fact, i.points, i.params()) for i in draft.items.order_by("order")],
                         [(Fact.INVESTMENT, 60, {"cap": 1}),
                          (Fact.MILESTONES, 30, {"baseline": 95, "per_point": D("0.5"),
                                                 "floor": 0}),
                          (Fact.REPORTS, 10, {"cap": 1})])
        self.assertRedirects(self.post({}, f"/evaluation/versions/{draft.pk}/publish/"),
                             draft.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(scheme.current_version, draft)
        self.assertContains(self.client.get(draft.get_absolute_url()), "已发布")

    def test_each_message_shows_beside_its_field_and_nothing_is_saved(self):
        rows = [{"fact": "investment", "formula": "ratio", "points": "60", "ratio__cap": "0"},
                {"fact": "milestones", "formula": "magic", "points": "30"},
                {"fact": "reports", "formula": "per_occurrence", "points": "10",
                 "per_occurrence__cap": "11"},
                {"fact": "action_items", "formula": "", "points": "5"}]
        response = self.post(editor_post(rows, bonus="25"))
        self.assertEqual(response.status_code, 400)
        for message in ("加分上限应在0至20分之间（满分的20%以内）。",
                        "“满分完成率（1即100%）”应大于0且不超过2。",
                        "“扣分上限”应不小于0且不超过10。", "请选择计分方法。", "草稿未保存，请按提示修改。"):
            self.assertContains(response, message, status_code=400)
        self.assertContains(response, "选择一个有效的选项", status_code=400)  # "magic"
        self.assertFalse(SchemeItem.objects.filter(version=self.draft).exists())

    def test_garbage_is_refused_without_a_server_error(self):
        good = {"fact": "investment", "formula": "ratio", "points": "100"}
        for data in (
                {},  # no management form
                editor_post([good], total="abc"),
                editor_post([{**good, "points": "NaN"}]),
                editor_post([{**good, "points": "1e400"}]),
                editor_post([{**good, "ratio__cap": "Infinity"}]),
                editor_post([{**good, "fact": "<script>alert(1)</script>"}]),
                {**editor_post([good]), "items-TOTAL_FORMS": "100000"},
                editor_post([good] * 31)):
            with self.subTest(data=list(data.items())[:6]):
                self.assertEqual(self.post(data).status_code, 400)
        self.assertFalse(SchemeItem.objects.filter(version=self.draft).exists())

    def test_publishing_an_unbalanced_draft_says_why(self):
        actions.do_save_draft(self.draft, total_points=100, bonus_cap=5, deduction_cap=10,
                              items=GOOD[:1], acting_user=self.office)
        self.client.force_login(self.office)
        page = self.client.get(self.draft.get_absolute_url())
        self.assertContains(page, "各项分值合计60分，应等于满分100分（相差40分）。")
        response = self.post({}, f"/evaluation/versions/{self.draft.pk}/publish/")
        self.assertEqual([str(m) for m in get_messages(response.wsgi_request)],
                         ["各项分值合计60分，应等于满分100分（相差40分）。"])
        self.draft.refresh_from_db()
        self.assertTrue(self.draft.is_draft)


class VersioningTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.office = cls.cast.office_admin
        cls.scheme = preset_scheme("investment_led", acting_user=cls.office)
        cls.v1 = cls.scheme.current_version

    def test_editing_opens_one_draft_copied_from_the_current_version(self):
        draft = actions.do_start_draft(self.scheme, acting_user=self.office)
        self.assertEqual((draft.number, draft.status), (2, VersionStatus.DRAFT))
        self.assertEqual(actions.do_start_draft(self.scheme, acting_user=self.office), draft)
        copy = [(i.fact, i.formula, i.points, i.params()) for i in draft.items.all()]
        self.assertEqual(copy, [(i.fact, i.formula, i.points, i.params())
                                for i in self.v1.items.all()])
        self.assertEqual(self.scheme.current_version, self.v1)  # until the draft is published
        actions.do_save_draft(draft, total_points=100, bonus_cap=3, deduction_cap=6, items=GOOD,
                              acting_user=self.office)
        actions.do_publish_version(draft, acting_user=self.office)
        self.assertEqual(self.scheme.current_version, draft)
        with self.assertRaisesMessage(ValidationError, "已发布的方案版本不能修改"):
            actions.do_save_draft(draft, total_points=100, bonus_cap=5, deduction_cap=10,
                                  items=GOOD, acting_user=self.office)
        with self.assertRaisesMessage(ValidationError, "已发布的方案版本不能修改"):
            actions.do_publish_version(self.v1, acting_user=self.office)

    def test_a_draft_can_be_given_up(self):
        draft = actions.do_start_draft(self.scheme, acting_user=self.office)
        actions.do_discard_draft(draft, acting_user=self.office)
        self.assertIsNone(self.scheme.draft)
        self.assertEqual(actions.do_start_draft(self.scheme, acting_user=self.office).number, 3)


class PermissionTests(CastTestCase):
    """A unit's user and a city leader read published schemes; they edit and publish
    nothing, on the page or through the actions."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.office = cls.cast.office_admin
        cls.scheme = preset_scheme("comprehensive", acting_user=cls.office)
        cls.draft = actions.do_start_draft(cls.scheme, acting_user=cls.office)

    def state(self):
        return (Scheme.objects.count(), Evaluation.objects.count(), UnitScore.objects.count(),
                list(SchemeVersion.objects.values_list("pk", "status", "bonus_cap",
                                                       "archived_at")),
                list(SchemeItem.objects.values_list("version", "fact", "points")))

    def test_units_and_leaders_edit_and_publish_nothing(self):
        draft, version = self.draft, self.scheme.current_version
        posts = [
            ("/evaluation/schemes/", {"name": "越权方案"}, 403),
            (self.scheme.get_absolute_url(), {}, 403),  # 修订
            (draft.get_absolute_url(), editor_post([{"fact": "investment", "formula": "ratio",
                                                     "points": "100"}]), 403),
            (f"/evaluation/versions/{draft.pk}/publish/", {}, 403),
            (f"/evaluation/versions/{draft.pk}/discard/", {}, 403),
            (f"/evaluation/versions/{version.pk}/publish/", {}, 403),
            ("/evaluation/", {"scheme": self.scheme.pk, "period_start": "2026-01-01",
                              "period_end": "2026-06-30"}, 403),
        ]
        before = self.state()
        for user in (self.cast.reporter_a, self.cast.head_a, self.cast.city_leader):
            self.client.force_login(user)
            with self.subTest(user=user.username):
                self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)
                self.assertEqual(self.client.get(version.get_absolute_url()).status_code, 200)
                page = self.client.get(self.scheme.get_absolute_url())
                self.assertNotContains(page, "修订方案")
                for url, data, status in posts:
                    self.assertEqual(self.client.post(url, data).status_code, status, url)
                for action, args in (
                        (actions.do_start_draft, {"scheme": self.scheme}),
                        (actions.do_publish_version, {"version": draft}),
                        (actions.do_discard_draft, {"version": draft}),
                        (actions.do_create_scheme, {"name": "x"}),
                        (actions.do_save_draft, {"version": draft, "total_points": 100,
                                                 "bonus_cap": 5, "deduction_cap": 10,
                                                 "items": GOOD})):
                    with self.assertRaises(PermissionDenied):
                        action(**args, acting_user=user)
        self.assertEqual(self.state(), before)

    def test_drafts_are_not_listed_for_units(self):
        self.client.force_login(self.cast.reporter_a)
        page = self.client.get(self.scheme.get_absolute_url())
        self.assertEqual([v.pk for v in page.context["versions"]],
                         [self.scheme.current_version.pk])
