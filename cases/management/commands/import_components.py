"""manage.py import_components FILE [--source LAYER] [--dry-run] [--as-user USERNAME]"""

from cases.importers import import_components
from cases.management.commands.import_grids import ImportCommand


class Command(ImportCommand):
    importer = staticmethod(import_components)
    file_help = "点图层（GeoJSON、Shapefile 的 zip 包、GeoPackage）或 .xlsx 部件表"
    help = ("导入部件：部件标识码、部件类型代码、部件名称、权属单位、部件状态、经纬度（或点图层）。"
            "有任何问题时不导入，逐条列出所在行（要素）和列。")
