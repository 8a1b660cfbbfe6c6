"""Every supervision event tells exactly the people concerned (in-app, plus their e-mail
and robot deliveries), once: "已通知" is then true."""

from datetime import time, timedelta

from django.utils import timezone

from notify.models import Delivery, Notification
from supervision import actions
from supervision.choices import MeetingKind
from supervision.models import Meeting, Rectification
from supervision.notices import Event
from tests.base import CastTestCase, on_mid_may_2026
from tests.ledger_cast import build_ledger


@on_mid_may_2026
class NoticeTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ledger = build_ledger(cls.cast)  # projects of units A and B; the leader leads A's
        cls.cast.reporter_a.email = "reporter_a@example.gov.cn"
        cls.cast.reporter_a.save()

    def told(self, event) -> set[str]:
        return set(Notification.objects.filter(event=event)
                   .values_list("user__username", flat=True))

    def item(self, unit, issuer, days=5):
        return actions.do_create_action_item(
            title="清理施工围挡", unit=unit, acting_user=issuer,
            deadline=timezone.localdate() + timedelta(days=days), detail="三日内完成")

    def test_an_assigned_item_tells_the_units_people(self):
        item = self.item(self.cast.unit_a, self.cast.office_admin)
        self.assertEqual(self.told(Event.ITEM_ASSIGNED), {"reporter_a", "head_a"})
        note = Notification.objects.get(user=self.cast.reporter_a)
        self.assertEqual(note.link, item.get_absolute_url())
        self.assertIn("2026年5月25日", note.body)  # the deadline, written the Chinese way
        # reporter_a has an e-mail address: it is queued for the sender too.
        self.assertEqual(list(Delivery.objects.values_list("user__username", "channel")),
                         [("reporter_a", "email")])

    def test_each_return_tells_the_unit(self):
        item = self.item(self.cast.unit_a, self.cast.office_admin)
        for reason in ("照片不清晰", "仍缺验收记录"):
            actions.do_respond(item, text="已清理", acting_user=self.cast.reporter_a)
            actions.do_return(item, reason=reason, acting_user=self.cast.office_admin)
        returned = Notification.objects.filter(event=Event.ITEM_RETURNED)
        self.assertEqual(sorted(returned.values_list("user__username", flat=True)),
                         ["head_a", "head_a", "reporter_a", "reporter_a"])
        self.assertIn("仍缺验收记录", returned.filter(user=self.cast.reporter_a).first().body)

    def test_an_overdue_item_tells_the_unit_and_the_issuer_once(self):
        item = self.item(self.cast.unit_b, self.cast.supervision, days=1)
        self.assertEqual(actions.do_flag_overdue(today=item.deadline + timedelta(days=3)), 1)
        self.assertEqual(self.told(Event.ITEM_OVERDUE), {"reporter_b", "supervision"})
        self.assertIn("3天", Notification.objects.filter(event=Event.ITEM_OVERDUE).first().body)
        actions.do_flag_overdue(today=item.deadline + timedelta(days=4))
        self.assertEqual(Notification.objects.filter(event=Event.ITEM_OVERDUE).count(), 2)

    def issue(self):
        today = timezone.localdate()
        bulletin = actions.do_draft_bulletin(period_start=today - timedelta(days=7),
                                             period_end=today, acting_user=self.cast.supervision)
        return actions.do_issue_bulletin(bulletin, acting_user=self.cast.supervision,
                                         rectification_deadline=today + timedelta(days=10))

    def test_an_issued_bulletin_tells_every_named_unit_and_reminds_them_of_the_deadline(self):
        bulletin = self.issue()
        self.assertEqual({line.unit.name for line in bulletin.lines.all()}, {"甲局", "乙局"})
        self.assertEqual(self.told(Event.BULLETIN_ISSUED), {"reporter_a", "head_a", "reporter_b"})
        note = Notification.objects.get(event=Event.BULLETIN_ISSUED, user=self.cast.reporter_b)
        self.assertIn("乙局被通报", note.body)
        self.assertEqual(note.link, bulletin.get_absolute_url())
        deadline = bulletin.rectification_deadline
        # Eight days on nobody is reminded yet; three days before the deadline everyone is.
        self.assertEqual(actions.do_remind_rectifications(today=deadline - timedelta(days=4)), 0)
        self.assertEqual(actions.do_remind_rectifications(today=deadline - timedelta(days=3)), 3)
        self.assertEqual(actions.do_remind_rectifications(today=deadline - timedelta(days=2)), 0)
        self.assertEqual(self.told(Event.RECTIFICATION_DUE), {"reporter_a", "head_a", "reporter_b"})
        # Unit A reports; only unit B is late.
        actions.do_submit_rectification(Rectification.objects.get(unit=self.cast.unit_a),
                                        text="已整改", acting_user=self.cast.reporter_a)
        self.assertEqual(actions.do_remind_rectifications(today=deadline + timedelta(days=1)), 1)
        self.assertEqual(self.told(Event.RECTIFICATION_OVERDUE), {"reporter_b"})

    def meeting(self, kind):
        return Meeting.objects.create(plan=self.cast.plan, kind=kind, title="每周工作调度会",
                                      date=timezone.localdate() + timedelta(days=2),
                                      start_time=time(9, 0), location="三楼会议室")

    def test_a_moved_weekly_dispatch_tells_the_office_and_the_units(self):
        meeting = self.meeting(MeetingKind.WEEKLY_DISPATCH)
        actions.do_move_meeting(meeting, date=meeting.date + timedelta(days=1), reason="与常委会冲突",
                                acting_user=self.cast.office_admin)
        self.assertEqual(self.told(Event.MEETING_MOVED),
                         {"office_admin", "office_staff", "reporter_a", "head_a", "reporter_b"})
        note = Notification.objects.get(event=Event.MEETING_MOVED, user=self.cast.reporter_a)
        self.assertIn("2026年5月22日 09:00", note.body)
        self.assertIn("2026年5月23日 09:00", note.body)
        self.assertIn("与常委会冲突", note.body)
        # Moved again: a new change, told again.
        actions.do_move_meeting(meeting, date=meeting.date + timedelta(days=2), reason="再次调整",
                                acting_user=self.cast.office_admin)
        self.assertEqual(Notification.objects.filter(event=Event.MEETING_MOVED,
                                                     user=self.cast.reporter_a).count(), 2)

    def test_a_cancelled_monthly_meeting_tells_leaders_and_the_bureau_too(self):
        meeting = self.meeting(MeetingKind.MONTHLY_MEETING)
        actions.do_cancel_meeting(meeting, reason="并入季度推进会",
                                  acting_user=self.cast.office_admin)
        self.assertEqual(self.told(Event.MEETING_CANCELLED),
                         {"office_admin", "office_staff", "reporter_a", "head_a", "reporter_b",
                          "leader", "supervision"})
        self.assertIn("并入季度推进会", Notification.objects.filter(
            event=Event.MEETING_CANCELLED).first().body)
