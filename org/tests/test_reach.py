"""The one table of who sees everything (org.roles.REACH) covers every role."""

from django.test import SimpleTestCase

from org.choices import Role
from org.roles import CITYWIDE_ROLES, REACH, Cap, Reach, has_cap


class ReachTableTests(SimpleTestCase):
    def test_every_role_has_a_reach(self):
        self.assertEqual(set(REACH), set(Role.values))

    def test_the_whole_city_is_the_office_the_bureau_and_the_account_administrator(self):
        self.assertEqual(CITYWIDE_ROLES, {Role.OFFICE_ADMIN, Role.OFFICE_STAFF, Role.SUPERVISION,
                                          Role.SYS_ADMIN})
        self.assertEqual(REACH[Role.CITY_LEADER], Reach.ASSIGNMENTS)

    def test_the_account_administrator_reads_no_business_record(self):
        class SysAdmin:
            role, is_authenticated, is_active = Role.SYS_ADMIN, True, True

        self.assertFalse(has_cap(SysAdmin(), Cap.VIEW_PROJECTS))
