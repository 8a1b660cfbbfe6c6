from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.test import TestCase

from tests.cast import build_cast

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Tests whose facts need part of a year behind them (a lag behind 序时, red and yellow
# projects, last week's bulletin) run on this day rather than on whatever day the suite
# runs: Wednesday 20 May 2026, 10:00 in Beijing, inside the cast's 2024–2026 plan, with
# four and a half months of the year's plan due. The clock runs on from there.
MID_MAY_2026 = datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI)


def on_mid_may_2026(cls):
    """Class decorator: the class (setUpTestData included) runs on MID_MAY_2026."""
    return time_machine.travel(MID_MAY_2026)(cls)


class CastTestCase(TestCase):
    """Tests share one cast per class, built once with setUpTestData."""

    @classmethod
    def setUpTestData(cls):
        cls.cast = build_cast()

    def login(self, user):
        self.client.force_login(user)
        return self.client
