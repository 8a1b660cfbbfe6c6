from core.choices import ChangeSource
from core.management.base import TrackedCommand
from supervision.actions import do_flag_overdue


class Command(TrackedCommand):
    help = "为逾期未办结的交办事项记录逾期提醒（每天运行一次；每个事项只提醒一次）。"
    change_source = ChangeSource.SYSTEM

    def handle_tracked(self, *args, **options):
        self.stdout.write(f"新增逾期提醒 {do_flag_overdue()} 条。")
