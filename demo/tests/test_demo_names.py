"""Every project of the demo city has a name of its own (issue 16 item 6: the city had three
projects called 古槐古镇综合服务中心建设, and a meeting pack or a bulletin naming them could
not be read)."""

from collections import Counter

from django.test import SimpleTestCase, TestCase

from demo.projects import unique_name
from demo.tests.test_demo_city import run_demo
from projects.models import Project


class UniqueNameTests(SimpleTestCase):
    def test_a_repeated_name_gets_a_phase_qualifier_in_order(self):
        used: set[str] = set()
        names = [unique_name("古槐古镇综合服务中心建设", used) for _ in range(3)]
        self.assertEqual(names, ["古槐古镇综合服务中心建设", "古槐古镇综合服务中心建设（二期）",
                                 "古槐古镇综合服务中心建设（三期）"])
        self.assertEqual(unique_name("文峰路西延工程", used), "文峰路西延工程")

    def test_it_never_runs_out_of_qualifiers(self):
        used: set[str] = set()
        names = [unique_name("公园", used) for _ in range(15)]
        self.assertEqual(len(set(names)), 15)


class DemoNamesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        run_demo("--scale", "small", "--seed", "11")

    def test_the_demo_citys_project_names_are_unique(self):
        names = list(Project.objects.values_list("name", flat=True))
        self.assertGreater(len(names), 20)
        repeated = {n: c for n, c in Counter(names).items() if c > 1}
        self.assertEqual(repeated, {})
