"""Anomaly flags of the review queue: each with a case that raises it and one that does not
(pure rules, no database)."""

from dataclasses import replace
from decimal import Decimal

from django.test import SimpleTestCase, override_settings

from projects.anomalies import Flag, ReportFacts, flag_reasons, flags_for, jump_share
from projects.choices import Stage

# A plain week: 40 %, 100 万元 of a 1,200 万元 year plan, well inside a 10,000 万元 total.
PLAIN = ReportFacts(percent=40, investment_period=Decimal("100"),
                    year_cumulative=Decimal("600"), text="主体结构施工，完成三层浇筑",
                    stage=Stage.CONSTRUCTION, total_investment=Decimal("10000"),
                    year_planned=Decimal("1200"), previous_percent=35,
                    earlier_years=Decimal("2000"))
SHARE = Decimal("0.3")


class FlagTests(SimpleTestCase):
    def test_a_plain_report_raises_nothing(self):
        self.assertEqual(flags_for(PLAIN, SHARE), [])

    def test_progress_going_down(self):
        self.assertEqual(flags_for(replace(PLAIN, percent=30), SHARE), [Flag.PERCENT_DOWN])
        self.assertEqual(flags_for(replace(PLAIN, percent=35), SHARE), [])  # unchanged is fine
        # No previous filed report: nothing to compare with.
        self.assertEqual(flags_for(replace(PLAIN, percent=0, previous_percent=None), SHARE), [])

    def test_investment_jump_against_the_year_plan(self):
        jump = replace(PLAIN, investment_period=Decimal("361"), year_cumulative=Decimal("861"))
        self.assertEqual(flags_for(jump, SHARE), [Flag.INVESTMENT_JUMP])
        self.assertEqual(flags_for(replace(jump, investment_period=Decimal("360")), SHARE), [])
        # Without a year plan there is no share to exceed.
        self.assertEqual(flags_for(replace(jump, year_planned=None), SHARE), [])
        self.assertIn("超过年度计划1200万元的30%", flag_reasons(jump, SHARE)[0])

    def test_cumulative_above_total_counts_earlier_years(self):
        over = replace(PLAIN, year_cumulative=Decimal("8001"))
        self.assertEqual(flags_for(over, SHARE), [Flag.OVER_TOTAL])
        self.assertEqual(flags_for(replace(over, year_cumulative=Decimal("8000")), SHARE), [])
        self.assertEqual(flags_for(replace(over, earlier_years=Decimal("0")), SHARE), [])

    def test_construction_text_on_a_suspended_project(self):
        suspended = replace(PLAIN, stage=Stage.SUSPENDED)
        self.assertEqual(flags_for(suspended, SHARE), [Flag.SUSPENDED_WORK])
        for text in ("管道铺设200米", "基坑开挖", "钢梁吊装完成"):
            self.assertEqual(flags_for(replace(suspended, text=text), SHARE),
                             [Flag.SUSPENDED_WORK], text)
        for text in ("停工中，现场看护", "暂停施工，等待征迁", "未开挖，无吊装作业", ""):
            self.assertEqual(flags_for(replace(suspended, text=text), SHARE), [], text)
        # The same words on a project under construction are what it should report.
        self.assertEqual(flags_for(replace(PLAIN, text="管道铺设200米"), SHARE), [])

    def test_more_construction_words_and_negation_a_few_characters_before(self):
        suspended = replace(PLAIN, stage=Stage.SUSPENDED)
        for text in ("钢筋绑扎", "模板安装", "混凝土养护", "砌筑围墙", "管沟回填", "沥青摊铺",
                     "未完成验收，继续浇筑",       # the negation is in another clause
                     "不断推进施工"):               # 不断 is not a negation
            self.assertEqual(flags_for(replace(suspended, text=text), SHARE),
                             [Flag.SUSPENDED_WORK], text)
        for text in ("停工期间未进行施工", "没有进行钢筋绑扎", "暂停模板安装", "停止混凝土浇筑",
                     "现场停浇筑", "无回填作业", "停工期间未进行施工，现场看护"):
            self.assertEqual(flags_for(replace(suspended, text=text), SHARE), [], text)

    def test_several_flags_at_once(self):
        bad = replace(PLAIN, stage=Stage.SUSPENDED, percent=10,
                      investment_period=Decimal("9000"), year_cumulative=Decimal("9000"))
        self.assertEqual(flags_for(bad, SHARE), [Flag.PERCENT_DOWN, Flag.INVESTMENT_JUMP,
                                                 Flag.OVER_TOTAL, Flag.SUSPENDED_WORK])

    @override_settings(REVIEW_JUMP_SHARE="0.5")
    def test_the_share_is_a_setting(self):
        self.assertEqual(jump_share(), Decimal("0.5"))
        jump = replace(PLAIN, investment_period=Decimal("500"))
        self.assertEqual(flags_for(jump, jump_share()), [])
        self.assertEqual(flags_for(jump, SHARE), [Flag.INVESTMENT_JUMP])

    @override_settings(REVIEW_JUMP_SHARE="abc")
    def test_an_unreadable_share_falls_back(self):
        self.assertEqual(jump_share(), Decimal("0.3"))

    def test_a_share_that_is_not_a_finite_number_in_range_falls_back_with_a_warning(self):
        for value in ("nan", "NaN", "sNaN", "inf", "-Infinity", "0", "-0.2", "10.5", "1e400",
                      "", None):
            with self.subTest(value=value), override_settings(REVIEW_JUMP_SHARE=value), \
                    self.assertLogs("projects.anomalies", "WARNING") as logged:
                self.assertEqual(jump_share(), Decimal("0.3"))
            self.assertIn("REVIEW_JUMP_SHARE", logged.output[0])
        for value, expected in (("10", Decimal("10")), (" 0.25 ", Decimal("0.25"))):
            with override_settings(REVIEW_JUMP_SHARE=value):
                self.assertEqual(jump_share(), expected)
