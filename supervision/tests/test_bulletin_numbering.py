"""Numbering never collides: two clerks issuing at the same moment, each on their own
database connection, both succeed with consecutive numbers (the year's counter row is
locked in the issuing transaction)."""

import threading
import unittest
from datetime import timedelta

from django.db import close_old_connections, connection, connections
from django.test import TransactionTestCase
from django.utils import timezone

from supervision import actions
from supervision.models import Bulletin
from supervision.models.bulletins import BulletinCounter
from tests.base import on_mid_may_2026
from tests.cast import build_cast
from tests.ledger_cast import build_ledger


@on_mid_may_2026
@unittest.skipUnless(connection.vendor == "postgresql",
                     "needs two real connections with row locks: PostgreSQL. SQLite's test "
                     "database is one in-memory connection and IMMEDIATE transactions let one "
                     "writer in at a time, so there is no race to test there.")
class ConcurrentIssueTests(TransactionTestCase):
    def setUp(self):
        self.cast = build_cast()
        build_ledger(self.cast)  # red projects: every draft has lines
        today = timezone.localdate()
        self.drafts = [actions.do_draft_bulletin(period_start=today - timedelta(7),
                                                 period_end=today,
                                                 acting_user=self.cast.supervision)
                       for _ in range(2)]

    def issue_at_once(self, drafts):
        barrier = threading.Barrier(len(drafts))
        results, errors = {}, []

        def clerk(draft):
            try:
                barrier.wait(timeout=30)
                issued = actions.do_issue_bulletin(
                    draft, rectification_deadline=timezone.localdate() + timedelta(10),
                    acting_user=self.cast.supervision)
                results[draft.pk] = issued.number
            except Exception as exc:  # reported below, with the thread's own traceback
                errors.append(repr(exc))
            finally:
                connections.close_all()  # this thread's connection

        threads = [threading.Thread(target=clerk, args=(d,)) for d in drafts]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        close_old_connections()
        return results, errors

    def test_two_clerks_issuing_at_once_get_consecutive_numbers(self):
        results, errors = self.issue_at_once(self.drafts)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(results.values()), [1, 2])
        year = timezone.localdate().year
        self.assertEqual(BulletinCounter.objects.get(year=year).last_number, 2)
        labels = set(Bulletin.objects.filter(year=year).values_list("doc_number", flat=True))
        self.assertEqual(labels, {f"示督通〔{year}〕1号", f"示督通〔{year}〕2号"})
        # Once the year's counter exists the next pair queues on its row the same way.
        today = timezone.localdate()
        more = [actions.do_draft_bulletin(period_start=today - timedelta(7), period_end=today,
                                          acting_user=self.cast.supervision) for _ in range(2)]
        results, errors = self.issue_at_once(more)
        self.assertEqual((errors, sorted(results.values())), ([], [3, 4]))

    def test_one_draft_issued_twice_at_once_is_issued_once(self):
        # A double click: the second finds it issued, and no number is spent on it.
        draft = self.drafts[0]
        twin = Bulletin.objects.get(pk=draft.pk)
        results, errors = self.issue_at_once([draft, twin])
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("已印发", errors[0])
        self.assertEqual(list(results.values()), [1])
        self.assertEqual(BulletinCounter.objects.get(year=timezone.localdate().year).last_number, 1)
