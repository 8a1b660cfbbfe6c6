from django.core.management.base import BaseCommand

from demo.management.commands.demo_city import print_accounts


class Command(BaseCommand):
    help = "列出演示账号及密码。"

    def handle(self, *args, **options):
        print_accounts(self.stdout)
