from django.core.management.base import BaseCommand

from notify.queue import send_deliveries


class Command(BaseCommand):
    help = ("发送到期的邮件和群机器人推送（失败按 2、4、8、16 分钟退避重试）。每隔几分钟运行一次；"
            "多个进程同时运行也不会重复发送。")

    def handle(self, *args, **options):
        sent, failed = send_deliveries()
        self.stdout.write(f"推送成功 {sent} 条，失败 {failed} 条（可重试的将自动重试）。")
