from django.test import TestCase

from tests.cast import build_cast


class CastTestCase(TestCase):
    """Tests share one cast per class, built once with setUpTestData."""

    @classmethod
    def setUpTestData(cls):
        cls.cast = build_cast()

    def login(self, user):
        self.client.force_login(user)
        return self.client
