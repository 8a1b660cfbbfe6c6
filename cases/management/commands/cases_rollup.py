"""Nightly: add the cases and events that became final since the last run to the daily
roll-up (cases.performance.roll_up). Today's figures are always computed live."""

from django.core.management.base import BaseCommand

from cases.performance import roll_up


class Command(BaseCommand):
    help = "汇总案件绩效日统计（增量；--rebuild 全部重算）。"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true",
                            help="清空日统计并从头重算（统计口径变更后使用）。")

    def handle(self, *args, rebuild=False, **options):
        result = roll_up(rebuild=rebuild)
        since = result["since"] or "最早"
        self.stdout.write(f"案件日统计：{since} 至 {result['until']}，写入 {result['rows']} 行。")
