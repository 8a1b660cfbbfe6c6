from core.choices import ChangeSource
from core.management.base import TrackedCommand
from supervision.actions import do_propose_escalations


class Command(TrackedCommand):
    help = "按问责升级规则提出措施建议（提醒→督办函→通报→约谈→问责），由督查局逐条决定。"
    change_source = ChangeSource.SYSTEM

    def handle_tracked(self, *args, **options):
        self.stdout.write(f"新增措施建议 {do_propose_escalations()} 条。")
