"""Replace the offline basemap with the city's own roads, water and outline, read from GIS
files (GeoJSON, zipped Shapefile, GeoPackage; any CRS the layer importer knows)."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from shapely.geometry import mapping

from core.management.base import TrackedCommand
from geo.choices import NAME_ATTRIBUTES
from geo.importers import read_source, unpacked
from maps.actions import do_replace_basemap
from maps.choices import BasemapKind

RANK_ATTRIBUTES = ("等级", "rank", "RANK", "DJ", "dj")


class Command(TrackedCommand):
    help = ("用本市的道路、水系、行政区域文件整体替换离线底图（未配置天地图时作战地图和大屏绘制的底图）。"
            "每个文件的全部图层都按所给类型导入；道路可带“等级”属性（1 高速/环路，2 主干路，3 次干路）。")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--area", action="append", default=[], help="行政区域（面）文件")
        parser.add_argument("--water", action="append", default=[], help="水系（面或线）文件")
        parser.add_argument("--road", action="append", default=[], help="道路（线）文件")

    def handle_tracked(self, *args, **options):
        files = [(kind, path) for kind in (BasemapKind.AREA, BasemapKind.WATER, BasemapKind.ROAD)
                 for path in options[kind]]
        if not files:
            raise CommandError("请至少给出一个 --area、--water 或 --road 文件。")
        features = []
        try:
            for kind, path in files:  # areas first: drawn under water, water under roads
                features += self._read(kind, path)
        except OSError as exc:
            raise CommandError(f"无法打开文件：{exc}") from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        count = do_replace_basemap(features)
        self.stdout.write(f"底图已替换，共{count}个要素。")

    @staticmethod
    def _read(kind, path) -> list[dict]:
        features = []
        with open(path, "rb") as fh, unpacked(fh, path) as sources:
            for source in sources:
                data = read_source(source, path)
                name_attr = next((a for a in NAME_ATTRIBUTES if a in data.fields), None)
                rank_attr = next((a for a in RANK_ATTRIBUTES if a in data.fields), None)
                for _, props, geom in data.records:
                    features.append({
                        "kind": kind, "name": str(props.get(name_attr) or "")[:100],
                        "rank": _rank(props.get(rank_attr) if rank_attr else None),
                        "geometry": mapping(geom)})
        return features


def _rank(value) -> int:
    """A road's 等级 as 1–3 (a .dbf may hold it as 1.0 or "1"); 2 when absent or odd."""
    try:
        rank = int(float(value))
    except (TypeError, ValueError):
        return 2
    return rank if rank in (1, 2, 3) else 2
