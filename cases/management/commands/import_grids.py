"""manage.py import_grids FILE [--source LAYER] [--dry-run] [--as-user USERNAME]

Also the base of import_components and import_roads: the same options, the same output.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from cases.importers import import_grids
from core.history import current_context
from core.management.base import TrackedCommand


class ImportCommand(TrackedCommand):
    importer = staticmethod(import_grids)
    file_help = "GeoJSON、Shapefile 的 zip 包或 GeoPackage"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file", help=self.file_help)
        parser.add_argument("--source", default=None,
                            help="文件含多个图层时，导入哪一个（如 数据/网格.shp）")
        parser.add_argument("--dry-run", action="store_true",
                            help="完整检查并试导入后撤销，不保存任何数据")

    def handle_tracked(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件“{path}”不存在。")
        try:
            with path.open("rb") as fh:
                result = self.importer(fh, filename=path.name, source=options["source"],
                                       acting_user=current_context().actor_user(),
                                       dry_run=options["dry_run"])
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(f"“{path.name}”未导入。", returncode=1) from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(result.summary())


class Command(ImportCommand):
    help = ("导入单元网格（面图层）：网格编码、网格名称、所属街道、所属社区。没有编码时按社区"
            "自西向东、由北向南生成。有任何问题时不导入，逐条列出所在要素和字段。")
