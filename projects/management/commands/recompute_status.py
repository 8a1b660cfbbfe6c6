import time

from django.utils import timezone

from core.choices import ChangeSource
from core.management.base import TrackedCommand
from projects import engine
from projects.models import Project


class Command(TrackedCommand):
    help = "记录逾期未报的填报并重算全部项目亮灯（建议每晚运行：时间推移本身会让项目变黄变红）。"
    change_source = ChangeSource.SYSTEM

    def handle_tracked(self, *args, **options):
        start = time.perf_counter()
        missing = engine.record_missing_reports(now=timezone.now())
        count = engine.recompute(Project.objects.active())
        self.stdout.write(f"新记录未报 {missing} 期；重算 {count} 个项目，用时 "
                          f"{time.perf_counter() - start:.1f} 秒。")
