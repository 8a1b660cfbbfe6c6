"""Import a layer file from the command line through the same import_layers() as the page."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from core.management.base import TrackedCommand
from geo.choices import LayerKind
from geo.importers import Target, import_layers, list_sources
from geo.models import Layer


class Command(TrackedCommand):
    help = ("导入图层文件（GeoJSON、Shapefile 的 zip 包、GeoPackage）。文件含多个图层时用 --list "
            "查看，再用 --source 逐个指定导入哪一个。")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("file")
        parser.add_argument("--list", action="store_true", help="只列出文件中的图层")
        parser.add_argument("--source", help="文件中的图层（--list 所列名称）")
        parser.add_argument("--layer", help="导入到该名称的已有图层")
        parser.add_argument("--new", help="新建图层的名称")
        parser.add_argument("--kind", choices=LayerKind.values, help="新建图层的类型")
        parser.add_argument("--note", default="", help="说明")

    def handle_tracked(self, *args, **options):
        try:
            with open(options["file"], "rb") as fh:
                if options["list"]:
                    return self._list(list_sources(fh, filename=options["file"]))
                versions = import_layers(fh, [self._target(options)],
                                         filename=options["file"], note=options["note"])
        except OSError as exc:
            raise CommandError(f"无法打开文件：{exc}") from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        for v in versions:
            self.stdout.write(f"已导入“{v.layer.name}”第{v.number}版，共{v.feature_count}个要素"
                              f"（源坐标系 {v.source_crs}）。")

    def _list(self, sources):
        for s in sources:
            self.stdout.write(f"{s.label}\t{s.feature_count}个要素\t{s.geometry_type}\t"
                              f"{'、'.join(s.fields)}")

    @staticmethod
    def _target(options):
        if options["layer"]:
            layer = Layer.objects.filter(name=options["layer"]).first()
            if layer is None:
                raise CommandError(f"没有名为“{options['layer']}”的图层。")
            return Target(source=options["source"], layer=layer)
        if not (options["new"] and options["kind"]):
            raise CommandError("请用 --layer 指定已有图层，或用 --new 和 --kind 新建图层。")
        return Target(source=options["source"], name=options["new"], kind=options["kind"])
