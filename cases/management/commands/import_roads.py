"""manage.py import_roads FILE [--source LAYER] [--dry-run] [--as-user USERNAME]"""

from cases.importers import import_roads
from cases.management.commands.import_grids import ImportCommand


class Command(ImportCommand):
    importer = staticmethod(import_roads)
    file_help = "线图层（GeoJSON、Shapefile 的 zip 包、GeoPackage）"
    help = ("导入道路和路段及其路长：道路名称、段序、路段名称、起点、终点、市级路长、区级(街道)路长、"
            "社区路长（姓名、姓名（单位）或人员编号）。有任何问题时不导入。")
