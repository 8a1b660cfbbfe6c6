from core.choices import ChangeSource
from core.management.base import TrackedCommand
from supervision.actions import do_flag_overdue, do_remind_rectifications


class Command(TrackedCommand):
    help = ("为逾期未办结的交办事项记录逾期提醒并通知承办单位和交办人；提醒整改反馈即将到期"
            "（3天内）或已逾期的被通报单位（每天运行一次；每件事只提醒一次）。")
    change_source = ChangeSource.SYSTEM

    def handle_tracked(self, *args, **options):
        self.stdout.write(f"新增逾期提醒 {do_flag_overdue()} 条。")
        self.stdout.write(f"整改反馈提醒 {do_remind_rectifications()} 人次。")
