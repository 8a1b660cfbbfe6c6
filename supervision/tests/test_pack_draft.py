"""Meeting material before the meeting (issue 16 item 6): the pack opens with its summary
figures, lists the projects that turned better and those that turned worse separately with
their reasons, names every project by code and name, and can be downloaded as a 征求意见稿
before it is issued — computed from the data at that moment, marked as a draft, each reader
their own part, every download audited.

The week is built by hand (on Wednesday 20 May 2026; the pack's window is 13–20 May, the
reporting period due in it the one whose deadline is Friday 15 May):

- project_a (甲局): yellow since 1 May, red on 15 May (节点超期) — worse; filed late for
  the period due, 5,000 万元; its year plan 20,000 万元;
- project_b (乙局): red since 1 May (连续两期未报), green on 16 May — better; missing for
  the period due; filed this week's period with 10 万元 and a problem;
- project_shared (乙局, 甲局 cooperating): red since 1 May, yellow on 14 May — better;
  missing for the period due;
- two open action items, 乙局's overdue.
"""

import io
import re
from datetime import date, time, timedelta
from decimal import Decimal
from urllib.parse import quote

from django.utils import timezone
from docx import Document

from core.models import AuditEvent
from projects import engine, periods
from projects.actions import do_set_year_plan, do_submit_report
from projects.models import ProgressReport, ProjectStatus, StatusTransition
from supervision import actions
from supervision.choices import MeetingKind
from supervision.models import ActionItem, Meeting, MeetingPack
from supervision.packs import build_content, pack_period, pack_sections
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


def docx_text(response) -> tuple[str, str]:
    """(header, body) of a downloaded .docx."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    doc = Document(io.BytesIO(data))
    header = "\n".join(p.text for p in doc.sections[0].header.paragraphs)
    return header, "\n".join(p.text for p in doc.paragraphs)


def sections(text: str) -> dict[str, list[str]]:
    """A pack's body by section (一、总体情况 …): its heading without the numeral, its rows."""
    found, rows = {}, None
    for line in text.splitlines():
        heading = re.fullmatch(r"[一二三四五六七八九十]+、(.+)", line)
        if heading:
            rows = found.setdefault(heading.group(1), [])
        elif rows is not None and line and line != "无。":
            rows.append(line)
    return found


@on_mid_may_2026
class PackWeekTestCase(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        c = cls.cast
        cls.ledger = ledger = build_ledger(c)
        today = timezone.localdate()
        cls.meeting = Meeting.objects.create(
            plan=c.plan, kind=MeetingKind.WEEKLY_DISPATCH, date=today, start_time=time(9),
            title="每周工作调度会", location="指挥部会议室")
        cls.start, cls.end = pack_period(cls.meeting)
        reporting = engine.reporting_for(c.plan)
        (due,) = periods.periods_due(reporting, cls.start, cls.end)
        cls.due_start = due.start
        do_set_year_plan(ledger.project_a, today.year, Decimal("20000"))
        engine.record_missing_reports(now=timezone.now())
        do_submit_report(ledger.project_a, acting_user=c.reporter_a, period_start=due.start,
                         investment_period=Decimal("5000"), progress_percent=30)
        do_submit_report(ledger.project_b, acting_user=c.reporter_b,
                         investment_period=Decimal("10"), progress_percent=5,
                         problems=[("电力迁改滞后", "供电公司")])
        item_a = actions.do_create_action_item(title="甲局事项", unit=c.unit_a,
                                               acting_user=c.office_admin,
                                               deadline=today + timedelta(days=5))
        item_b = actions.do_create_action_item(title="乙局事项", unit=c.unit_b,
                                               acting_user=c.office_admin,
                                               deadline=today + timedelta(days=5),
                                               project=ledger.project_b)
        ActionItem.objects.filter(pk=item_b.pk).update(deadline=today - timedelta(days=2))
        cls.items = (item_a, item_b)
        # The colours, by hand: the history the engine would have written.
        StatusTransition.objects.all().delete()
        history = {
            ledger.project_a: [(date(2026, 5, 1), "", "yellow", ["投资滞后"]),
                               (date(2026, 5, 15), "yellow", "red", ["节点超期：主体结构封顶"])],
            ledger.project_b: [(date(2026, 5, 1), "", "red", ["连续两期未报"]),
                               (date(2026, 5, 16), "red", "green", [])],
            ledger.project_shared: [(date(2026, 5, 1), "", "red", ["手续未办"]),
                                    (date(2026, 5, 14), "red", "yellow",
                                     ["手续「施工许可」尚未完成"])],
        }
        for project, steps in history.items():
            for as_of, old, new, reasons in steps:
                StatusTransition.objects.create(
                    project=project, dimension="overall", from_colour=old, to_colour=new,
                    reasons=reasons, at=timezone.now(), as_of=as_of, trigger="report")
            ProjectStatus.objects.filter(project=project).update(overall=steps[-1][2])

    def label(self, project):
        return f"{project.code} {project.name}"


class SummaryAndListsTests(PackWeekTestCase):
    def test_the_summary_figures_are_the_weeks(self):
        s = build_content(self.meeting, self.start, self.end)["summary"]
        self.assertEqual((s["projects"], s["since"]), (3, "5月12日"))
        self.assertEqual(s["colours"], {"green": 1, "yellow": 1, "red": 1, "grey": 0, "blue": 0})
        # Before the window: project_a yellow, the other two red.
        self.assertEqual((s["red_change"], s["yellow_change"]), (-1, 0))
        self.assertEqual(s["reports"], {"due": 3, "filed": 1, "late": 1, "missing": 2})
        self.assertEqual(s["items"], {"open": 2, "overdue": 1})
        self.assertEqual(s["investment"], {"year": 2026, "planned": "22400.00",
                                           "done": "5010.00"})
        sections = dict(pack_sections(build_content(self.meeting, self.start, self.end)))
        self.assertEqual(sections["一、总体情况"], [
            "纳入调度项目3个：红灯1个、黄灯1个、绿灯1个、未开工0个、已完工0个。",
            "红灯项目1个，较5月12日减少1个；黄灯项目1个，与5月12日持平。",
            "材料期间应报进度3份，已报1份（其中迟报1份），未报2份。",
            "未办结交办事项2项，其中逾期1项。",
            "2026年计划投资2.24亿元，已完成5,010.00万元，完成率22.4%。",
        ])

    def test_the_counts_are_compared_with_the_last_meeting_held(self):
        Meeting.objects.create(plan=self.cast.plan, kind=MeetingKind.WEEKLY_DISPATCH,
                               date=date(2026, 5, 11), start_time=time(9), title="上周调度会")
        start, end = pack_period(self.meeting)
        lines = dict(pack_sections(build_content(self.meeting, start, end)))["一、总体情况"]
        self.assertIn("红灯项目1个，较上次会议（5月11日）减少1个", lines[1])

    def test_improvements_and_deteriorations_are_separate_lists_with_reasons(self):
        ledger = self.ledger
        content = build_content(self.meeting, self.start, self.end)
        by_direction = {}
        for row in content["changed"]:
            by_direction.setdefault(row["direction"], set()).add(row["project"])
        self.assertEqual(by_direction, {
            "better": {ledger.project_b.name, ledger.project_shared.name},
            "worse": {ledger.project_a.name}})
        sections = pack_sections(content)
        self.assertEqual([h for h, _ in sections][:3],
                         ["一、总体情况", "二、亮灯转好的项目", "三、亮灯转差的项目"])
        better, worse = dict(sections)["二、亮灯转好的项目"], dict(sections)["三、亮灯转差的项目"]
        self.assertEqual(worse, [f"{self.label(ledger.project_a)}（甲局）：黄灯 → 红灯。"
                                 "原因：节点超期：主体结构封顶"])
        self.assertIn(f"{self.label(ledger.project_b)}（乙局）：红灯 → 绿灯。此前原因：连续两期未报。",
                      better)
        self.assertIn(f"{self.label(ledger.project_shared)}（乙局）：红灯 → 黄灯。此前原因：手续未办。"
                      "现存问题：手续「施工许可」尚未完成", better)

    def test_projects_carry_their_codes_everywhere(self):
        ledger = self.ledger
        sections = dict(pack_sections(build_content(self.meeting, self.start, self.end)))
        self.assertEqual(sections["四、未按时报送进度的单位"], [
            f"乙局：未报2期，迟报0期（{self.label(ledger.project_b)}、"
            f"{self.label(ledger.project_shared)}）。",
            f"甲局：未报0期，迟报1期（{self.label(ledger.project_a)}）。"])
        self.assertEqual(sections["五、需协调解决的问题"],
                         [f"{self.label(ledger.project_b)}：电力迁改滞后（需协调：供电公司）"])
        self.assertIn(f"【{self.label(ledger.project_b)}】乙局事项", sections["六、未办结的交办事项"][0])
        # and in the issued Word file
        office = self.cast.office_admin
        pack = actions.do_issue_pack(actions.do_generate_pack(self.meeting, acting_user=office),
                                     acting_user=office)
        text = "\n".join(p.text for p in Document(io.BytesIO(pack.docx.open("rb").read()))
                         .paragraphs)
        for project in (ledger.project_a, ledger.project_b, ledger.project_shared):
            self.assertIn(self.label(project), text)
        self.assertNotIn("征求意见稿", text)

    def test_a_pack_frozen_before_the_split_still_reads(self):
        old = {"changed": [{"project": "旧项目", "unit": "甲局", "from": "绿灯", "to": "红灯",
                            "reasons": ["节点超期"]}], "reports": [], "problems": [], "items": []}
        self.assertEqual(pack_sections(old)[0],
                         ("一、亮灯变化的项目", ["旧项目（甲局）：绿灯 → 红灯。原因：节点超期"]))


class DraftDownloadTests(PackWeekTestCase):
    def url(self, tail="pack-draft.docx"):
        return f"/supervision/meetings/{self.meeting.pk}/{tail}"

    def test_the_office_downloads_a_marked_draft_computed_now(self):
        self.client.force_login(self.cast.office_admin)
        page = self.client.get(self.url(""))
        self.assertContains(page, 'data-testid="pack-draft"')
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertIn(quote("征求意见稿"), response["Content-Disposition"])
        header, text = docx_text(response)
        self.assertIn("征求意见稿（草稿）", header)
        self.assertIn("数据截至2026年5月20日 10:00", header)
        self.assertIn("每周工作调度会会议材料（征求意见稿）", text)
        self.assertIn("一、总体情况", text)
        self.assertIn(self.label(self.ledger.project_a), text)
        self.assertFalse(MeetingPack.objects.exists())  # nothing is stored or frozen
        # Live: what changes before the next download is in it.
        actions.do_create_action_item(title="会前新交办的事项", unit=self.cast.unit_a,
                                      acting_user=self.cast.office_admin,
                                      deadline=timezone.localdate() + timedelta(days=3))
        self.assertIn("会前新交办的事项", docx_text(self.client.get(self.url()))[1])
        audited = AuditEvent.objects.filter(event_type="file_download",
                                            object_type="supervision.Meeting",
                                            object_id=str(self.meeting.pk))
        self.assertEqual(list(audited.values_list("username", "detail__variant")),
                         [("office_admin", "draft-docx")] * 2)

    def test_each_reader_gets_their_own_part_and_no_other(self):
        """Each part holds its reader's rows and no other unit's: the projects named, the
        units' rows under 未按时报送进度的单位 (甲局 late, 乙局 missing) and the action items
        under 未办结的交办事项 (one each)."""
        ledger = self.ledger
        a, b = self.label(ledger.project_a), self.label(ledger.project_b)
        shared = self.label(ledger.project_shared)
        unit_a, unit_b = self.cast.unit_a, self.cast.unit_b
        both = {unit_a.name, unit_b.name}
        cases = {
            # (reader, query): (status, projects in it, projects not in it, units whose
            # report row and action item it holds — every other unit's are absent)
            ("reporter_a", ""): (200, {a, shared}, {b}, {unit_a.name}),
            ("reporter_a", f"?unit={unit_a.pk}"): (200, {a}, {b}, {unit_a.name}),
            ("reporter_a", f"?unit={unit_b.pk}"): (404, set(), set(), set()),
            ("reporter_b", f"?unit={unit_a.pk}"): (404, set(), set(), set()),
            ("city_leader", ""): (200, {a}, {b, shared}, {unit_a.name}),
            ("city_leader", f"?unit={unit_b.pk}"): (404, set(), set(), set()),
            ("office_staff", f"?unit={unit_b.pk}"): (200, {b, shared}, {a}, {unit_b.name}),
            ("office_staff", ""): (200, {a, b, shared}, set(), both),
            ("supervision", ""): (200, {a, b, shared}, set(), both),
        }
        items = {unit_a.name: self.items[0].title, unit_b.name: self.items[1].title}
        for (member, query), (status, present, absent, units) in cases.items():
            with self.subTest(member=member, query=query):
                self.client.force_login(getattr(self.cast, member))
                response = self.client.get(self.url() + query)
                self.assertEqual(response.status_code, status)
                if status != 200:
                    continue
                header, text = docx_text(response)
                self.assertIn("征求意见稿", header)
                for label in present:
                    self.assertIn(label, text)
                for label in absent:
                    self.assertNotIn(label, text)
                parts = sections(text)
                reported = {row.split("：", 1)[0] for row in parts["未按时报送进度的单位"]}
                self.assertEqual(reported, units)
                listed = parts["未办结的交办事项"]
                for name, title in items.items():
                    self.assertEqual(any(title in row for row in listed), name in units, title)
                self.assertEqual(len(listed), len(units))
        part = AuditEvent.objects.filter(event_type="file_download", username="reporter_a",
                                         detail__variant="draft-docx").first()
        self.assertEqual(part.detail["part"], "甲局")
        self.client.force_login(self.cast.citizen)
        self.assertIn(self.client.get(self.url()).status_code, (403, 404))

    def test_a_unit_that_is_not_an_id_is_a_bad_request_not_an_error(self):
        """`?unit=` is ASCII digits or it is refused with the reason ('²' passes isdigit()
        and then fails int(): it was a 500); an id no unit has is a 404."""
        for member in ("office_staff", "head_a"):
            self.client.force_login(getattr(self.cast, member))
            for raw in ("x", "²", "١", " 1", "+1", "1_0", "1" * 30):
                with self.subTest(member=member, unit=raw):
                    response = self.client.get(self.url(), {"unit": raw})
                    self.assertEqual(response.status_code, 400)
                    self.assertIn("单位编号无效", response.content.decode())
            with self.subTest(member=member, unit="no such unit"):
                self.assertEqual(self.client.get(self.url(), {"unit": "9" * 18}).status_code,
                                 404)
        self.assertFalse(AuditEvent.objects.filter(event_type="file_download").exists())

    def test_a_leader_sees_the_draft_link_but_not_the_office_draft(self):
        self.client.force_login(self.cast.city_leader)
        office = self.cast.office_admin
        actions.do_generate_pack(self.meeting, acting_user=office)
        page = self.client.get(self.url(""))
        self.assertContains(page, 'data-testid="pack-draft"')
        self.assertNotContains(page, "草稿")
        self.assertIsNone(page.context["pack"])

    def test_no_draft_once_the_pack_is_issued(self):
        office = self.cast.office_admin
        actions.do_issue_pack(actions.do_generate_pack(self.meeting, acting_user=office),
                              acting_user=office)
        for member in ("office_admin", "reporter_a", "city_leader"):
            with self.subTest(member=member):
                self.client.force_login(getattr(self.cast, member))
                self.assertEqual(self.client.get(self.url()).status_code, 404)
                self.assertNotContains(self.client.get(self.url("")), 'data-testid="pack-draft"')
        self.assertTrue(ProgressReport.objects.exists())
