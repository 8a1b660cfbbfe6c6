from collections import Counter

from core.choices import ChangeSource
from core.management.base import TrackedCommand
from maps.actions import do_check_conformity
from projects.models import Project


class Command(TrackedCommand):
    help = "对所有已标注位置的项目（或 --plan 指定计划的项目）批量进行规划符合性审查。"
    change_source = ChangeSource.COMMAND

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--plan", type=int, help="只审查该计划的项目")

    def handle_tracked(self, *args, **options):
        projects = Project.objects.active().exclude(geometry=None)
        if options.get("plan"):
            projects = projects.filter(plan_id=options["plan"])
        records = do_check_conformity(projects)
        counts = Counter(r.get_verdict_display() for r in records)
        summary = "，".join(f"{k}{v}个" for k, v in counts.items()) or "无"
        self.stdout.write(f"已审查 {len(records)} 个项目：{summary}。")
