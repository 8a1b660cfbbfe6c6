from django.core.management.base import BaseCommand, CommandError

from core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链：发现被修改、删除或插入的记录。"

    def handle(self, *args, **options):
        checked, problems = verify_chain()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"审计日志校验失败：{len(problems)} 处问题（共 {checked} 条）。")
        self.stdout.write(f"审计日志完整：共 {checked} 条，哈希链连续。")
