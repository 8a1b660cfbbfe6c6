from django.core.management.base import BaseCommand

from notify.queue import send_deliveries
from supervision.digest import queue_digests


class Command(BaseCommand):
    help = ("生成市级领导周报（站内消息，同一周只生成一次），并发送到期的邮件和群机器人推送"
            "（失败自动重试；与 send_deliveries 相同）。")

    def add_arguments(self, parser):
        parser.add_argument("--queue", action="store_true", help="生成本周周报（每周运行一次）")

    def handle(self, *args, **options):
        if options["queue"]:
            self.stdout.write(f"已生成周报 {queue_digests()} 份。")
        sent, failed = send_deliveries()
        self.stdout.write(f"推送成功 {sent} 条，失败 {failed} 条（可重试的将自动重试）。")
