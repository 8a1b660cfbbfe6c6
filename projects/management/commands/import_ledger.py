"""manage.py import_ledger FILE --plan <id or name> [--apply] [--user USERNAME]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from core.management.base import TrackedCommand
from plans.models import Plan
from projects.ledger_import import LedgerImporter


class Command(TrackedCommand):
    help = ("导入台账（.xlsx）：与网页导入相同的检查和提示，逐行输出问题（以所在行、列开头）。"
            "不加 --apply 只预览；有问题时不导入，退出码为1。")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help="台账文件（.xlsx）")
        parser.add_argument("--plan", required=True, help="计划的编号（id）或名称")
        parser.add_argument("--apply", action="store_true", help="确认导入（默认只预览）")
        parser.add_argument("--user", default="",
                            help="以该账号的权限和范围导入（默认为系统，不限范围）")

    def handle(self, *args, **options):
        # The importing account is also the one the change history names.
        options["as_user"] = options.get("as_user") or options["user"]
        return super().handle(*args, **options)

    def handle_tracked(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件“{path}”不存在。")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"账号“{options['user']}”不存在。")
        importer = LedgerImporter(path.read_bytes(), user=user, plan=self._plan(options["plan"]))
        result = importer.run(apply=options["apply"])
        for line in [*result.problems, *result.warnings]:
            self.stdout.write(str(line))
        if options["verbosity"] >= 2:
            for change in result.changes:
                self.stdout.write(change)
        if result.problems:
            raise CommandError(f"发现{len(result.problems)}处问题，文件未导入。", returncode=1)
        verb = "已导入" if result.applied else "预览（未导入，加 --apply 导入）"
        self.stdout.write(f"{verb}：共{result.rows}行项目数据，新建{result.created}个，"
                          f"修改{result.updated}个，填报进度{result.reported}个。")

    def _plan(self, value) -> Plan:
        plans = Plan.objects.active()
        plan = (plans.filter(pk=int(value)).first() if value.isdigit() else None) or \
            plans.filter(name=value).first()
        if plan is None:
            raise CommandError(f"计划“{value}”不存在。")
        return plan
