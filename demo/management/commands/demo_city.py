from django.db import transaction

from core.choices import ChangeSource
from core.management.base import TrackedCommand
from demo.build import SCALES, accounts_table, build
from org.models import Unit


class Command(TrackedCommand):
    help = "生成示范市演示数据（确定性：相同的种子与规模生成相同的数据）。"
    change_source = ChangeSource.IMPORT

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--seed", type=int, default=2024, help="随机种子")
        parser.add_argument("--scale", choices=sorted(SCALES), default="city", help="数据规模")
        parser.add_argument("--without-cases", action="store_true",
                            help="不生成城管案件部分（测试项目台账时省时）")

    def handle_tracked(self, *args, **options):
        if Unit.objects.exists():
            self.stdout.write("数据库中已有数据，未重复生成示范市。")
            return
        with transaction.atomic():
            city = build(options["seed"], options["scale"],
                         with_cases=not options["without_cases"])
        self.stdout.write(self.style.SUCCESS(
            f"示范市已生成：{len(city.units)} 个单位，{len(city.leaders)} 位市级领导，"
            f"{len(city.projects)} 个项目，"
            f"{city.cases.get('grids', 0)} 个单元网格，{city.cases.get('segments', 0)} 个路段，"
            f"{city.cases.get('components', 0)} 个部件，{city.cases.get('cases', 0)} 件城管案件"
            f"（规模 {options['scale']}，种子 {options['seed']}）。"))


def print_accounts(stdout):
    stdout.write("演示账号（每个角色一个）：")
    for username, password, role, description in accounts_table():
        stdout.write(f"  {username:<14} {password:<16} {role}（{description}）")
    stdout.write("城管案件：指挥中心即 bangongshi（值班长）和 bgs_zhang（受理员）；另有现场和处置单位账号"
                 "（密码相同）：监督员 jdy01 起，各街道路长 lz_<街道拼音>，"
                 "各处置单位填报员 <单位拼音>（如 xicheng、gongshui）。")
