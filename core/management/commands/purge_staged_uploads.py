"""manage.py purge_staged_uploads [--hours 24] — daily: staged import files never confirmed."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from core.staging import STAGING_FOLDERS, purge_staged


class Command(BaseCommand):
    help = ("删除超过指定时间仍未确认的导入暂存文件（台账导入预览、图层导入上传），"
            f"目录：{'、'.join(STAGING_FOLDERS)}（位于 MEDIA_ROOT 下）。建议每天运行。")

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=float, default=24,
                            help="删除早于多少小时的暂存文件（默认24）")

    def handle(self, *args, **options):
        if options["hours"] < 0:
            raise CommandError("--hours 不能为负数。")
        removed = purge_staged(timedelta(hours=options["hours"]))
        if options["verbosity"] >= 2:
            for path in removed:
                self.stdout.write(f"已删除 {path}")
        self.stdout.write(f"已删除{len(removed)}个超过{options['hours']:g}小时的暂存文件。")
