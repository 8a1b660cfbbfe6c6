"""Base-data imports with files laid out the way offices and GIS tools write them: a QGIS
GeoJSON with its crs member, a zipped GBK Shapefile in Gauss-Krüger metres inside a folder,
an .xlsx with a title, a 填报单位 line, a two-row merged header, section rows and a 合计 row.
Every import is all-or-nothing and names the row (要素) and column of each problem."""

import io
import json
import os
import tempfile

import numpy as np
import pyogrio.raw
import shapely
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook
from shapely.geometry import Point, box, mapping

from cases.choices import CaseKind, ComponentState, RoadChiefLevel
from cases.gridcodes import grid_polygons
from cases.importers import GridLocator, import_components, import_grids, import_roads
from cases.matching import segment_for_point
from cases.models import CaseType, Component, Grid, Road, RoadChief, RoadSegment
from cases.signs import sign_for_segment
from core.models import ObjectChange
from geo.tests.factories import GK_ZONE38, ORIGIN, shapefile_parts, square_m, to_lonlat, zip_of
from org import actions as org
from tests.base import CastTestCase

COMMUNITY_CODE = "419901001001"  # the cast's 丙街道丁社区
BBOX = (113.370, 34.500, 113.373, 34.5017)  # 3 × 2 cells of 100 m (about 275 m × 189 m)


def qgis_geojson(features, name="layer") -> bytes:
    """As QGIS 3 exports a layer in EPSG:4490: a name, a crs member, one feature a line."""
    doc = {"type": "FeatureCollection", "name": name,
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}},
           "features": [{"type": "Feature", "properties": props, "geometry": geometry}
                        for props, geometry in features]}
    return "\n".join(["{", *[f'"{k}": {json.dumps(v, ensure_ascii=False)},'
                             for k, v in doc.items() if k != "features"],
                      '"features": [',
                      ",\n".join(json.dumps(f, ensure_ascii=False) for f in doc["features"]),
                      "]", "}"]).encode("utf-8")


def upload(name, data):
    return SimpleUploadedFile(name, data)


def point_shapefile_zip(rows, *, folder="部件普查/井盖") -> bytes:
    """Points given in CM114 metres, written as a Chinese GIS desktop writes a shapefile:
    CGCS2000 3° GK zone 38 with the zone prefix, GBK .dbf without .cpg, inside a folder."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layer.shp")
        geoms = [shapely.affinity.translate(g, xoff=38_000_000.0) for _, g in rows]
        names = list(rows[0][0])
        field_data = [np.array([str(p[n]) for p, _ in rows], dtype=object) for n in names]
        pyogrio.raw.write(path, np.array(shapely.to_wkb(geoms), dtype=object), field_data,
                          names, driver="ESRI Shapefile", geometry_type="Point", crs=GK_ZONE38,
                          encoding="GBK")
        parts = {}
        for name in os.listdir(tmp):
            ext = os.path.splitext(name)[1]
            if ext != ".cpg":
                with open(os.path.join(tmp, name), "rb") as fh:
                    parts[ext] = fh.read()
    return zip_of({folder: parts}, gbk_names=True)


def office_workbook(rows, *, title="2026年城市管理部件普查表") -> bytes:
    """Title merged across, a 填报单位 line, a two-row header with 坐标（CGCS2000）merged over
    经度/纬度 (other labels merged down over both rows), then `rows`: a str is a section
    heading merged across the row; a tuple (values, merge_down) merges the 权属单位 cell
    down over `merge_down` rows."""
    header = ["序号", "部件标识码", "部件名称", "部件类型代码", "权属单位", "部件状态", "坐标（CGCS2000）",
              None, "备注"]
    width = len(header)
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["填报单位：市城市管理局", None, None, None, None, None, "填报日期：2026年5月"])
    ws.append(header)
    ws.append([None] * 6 + ["经度", "纬度", None])
    ws.merge_cells(start_row=3, start_column=7, end_row=3, end_column=8)
    for col in (1, 2, 3, 4, 5, 6, 9):
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    for row in rows:
        if isinstance(row, str):
            ws.append([row])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row,
                           end_column=width)
            continue
        values, merge_down = row if isinstance(row, tuple) else (row, 1)
        ws.append(values)
        if merge_down > 1:
            ws.merge_cells(start_row=ws.max_row, start_column=5,
                           end_row=ws.max_row + merge_down - 1, end_column=5)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def messages(caught) -> str:
    return "\n".join(caught.exception.messages)


class GridImportTests(CastTestCase):
    def test_qgis_geojson_without_codes_is_numbered_west_to_east_north_to_south(self):
        cells = list(grid_polygons(BBOX, 100))
        self.assertEqual(len(cells), 6)
        # The file lists them south-east first, as a digitiser might.
        features = [({"网格名称": f"丁社区{i}号", "所属社区": COMMUNITY_CODE}, c)
                    for i, c in reversed(list(enumerate(cells)))]
        result = import_grids(upload("单元网格.geojson", qgis_geojson(features, "单元网格")),
                              acting_user=self.cast.office_admin)
        self.assertEqual((result.created, result.updated), (6, 0))
        grids = list(Grid.objects.order_by("code"))
        self.assertEqual([g.code for g in grids],
                         [f"{COMMUNITY_CODE}{i:03d}" for i in range(1, 7)])
        self.assertEqual([g.name for g in grids], [f"丁社区{i}号" for i in range(6)])
        north_west = grids[0]
        self.assertEqual((north_west.min_lon, north_west.max_lat), (BBOX[0], BBOX[3]))
        self.assertEqual(north_west.community_unit, self.cast.community)
        self.assertEqual(north_west.street_unit, self.cast.town)  # the community's parent
        self.assertAlmostEqual(north_west.area_m2, 10_000, delta=100)
        self.assertEqual(Grid.objects.containing(113.3705, 34.5015), north_west)

    def test_zipped_gbk_shapefile_in_gauss_kruger_with_codes_and_unit_names(self):
        features = [({"网格编码": f"{COMMUNITY_CODE}00{i + 1}", "网格名称": f"东片{i + 1}",
                      "所属街道": "丙街道", "所属社区": "丙街道丁社区"},
                     square_m(i * 100, 0, i * 100 + 100, 100)) for i in range(2)]
        data = zip_of({"数据/单元网格": shapefile_parts(features)}, gbk_names=True)
        result = import_grids(upload("网格.zip", data))
        self.assertEqual(result.created, 2)
        grid = Grid.objects.get(code=f"{COMMUNITY_CODE}001")
        self.assertEqual((grid.name, grid.street_unit, grid.community_unit),
                         ("东片1", self.cast.town, self.cast.community))
        self.assertAlmostEqual(grid.area_m2, 10_000, delta=5)  # reprojected from GK metres
        self.assertLess(abs(grid.min_lon - 113.78), 0.01)

    def test_a_bad_feature_names_feature_and_field_and_nothing_is_stored(self):
        cells = list(grid_polygons(BBOX, 100))
        features = [({"网格编码": f"{COMMUNITY_CODE}001", "所属社区": "丙街道丁社区"}, cells[0]),
                    ({"网格编码": f"{COMMUNITY_CODE}002", "所属社区": "不存在社区"}, cells[1]),
                    ({"网格编码": "41990100100", "所属社区": "丙街道丁社区"}, cells[2]),
                    ({"网格编码": f"{COMMUNITY_CODE}001", "所属社区": "丙街道丁社区"}, cells[3]),
                    ({"网格编码": "419901002001001", "所属社区": "丙街道丁社区"}, cells[4])]
        changes = ObjectChange.objects.count()
        with self.assertRaises(ValidationError) as caught:
            import_grids(upload("grids.geojson", qgis_geojson(features)))
        text = messages(caught)
        self.assertIn("第2个要素“所属社区”：未找到单位“不存在社区”", text)
        self.assertIn("第4个要素“网格编码”：编码419901001001001与第1个要素重复", text)
        self.assertIn("文件未导入任何数据", text)
        self.assertEqual(Grid.objects.count(), 0)
        self.assertEqual(ObjectChange.objects.count(), changes)
        # Model checks are named the same way, once the file's own problems are fixed.
        features = [features[0], features[2], features[4]]
        with self.assertRaises(ValidationError) as caught:
            import_grids(upload("grids.geojson", qgis_geojson(features)))
        text = messages(caught)
        self.assertIn("第2个要素“网格编码”：网格编码应为15位数字", text)
        self.assertIn("第3个要素“网格编码”：网格编码前12位应与所属社区的行政区划代码一致", text)
        self.assertEqual(Grid.objects.count(), 0)

    def test_a_zip_of_several_layers_needs_the_layer_named(self):
        parts = shapefile_parts([({"网格编码": f"{COMMUNITY_CODE}001"}, square_m(0, 0, 100, 100))])
        other = shapefile_parts([({"名称": "河"}, square_m(300, 0, 400, 100))])
        data = zip_of({"数据/网格": parts, "数据/水系": other})
        with self.assertRaises(ValidationError) as caught:
            import_grids(upload("两层.zip", data))
        self.assertIn("有2个图层", messages(caught))
        result = import_grids(upload("两层.zip", data), source="数据/网格.shp")
        self.assertEqual(result.created, 1)

    def test_a_geojson_whose_crs_is_a_link_is_refused_offline(self):
        doc = json.loads(qgis_geojson([({"网格编码": f"{COMMUNITY_CODE}001"},
                                        next(grid_polygons(BBOX, 100)))]))
        doc["crs"] = {"type": "link", "properties": {"href": "http://127.0.0.1:9/crs.wkt",
                                                     "type": "ogcwkt"}}
        with self.assertRaises(ValidationError):
            import_grids(upload("x.geojson", json.dumps(doc).encode()))
        self.assertEqual(Grid.objects.count(), 0)

    def test_a_line_layer_is_not_grids(self):
        line = {"type": "LineString", "coordinates": [[113.37, 34.5], [113.38, 34.5]]}
        with self.assertRaises(ValidationError) as caught:
            import_grids(upload("x.geojson", qgis_geojson([({"网格编码": "1"}, line)])))
        self.assertIn("第1个要素：网格应为面（多边形），文件中是LineString", messages(caught))

    def test_reimport_updates_by_code_and_a_blank_cell_clears_nothing(self):
        cells = list(grid_polygons(BBOX, 100))
        first = [({"网格编码": f"{COMMUNITY_CODE}001", "网格名称": "老街", "所属社区": COMMUNITY_CODE},
                  cells[0])]
        import_grids(upload("a.geojson", qgis_geojson(first)))
        again = [({"网格编码": f"{COMMUNITY_CODE}001", "网格名称": "", "所属社区": ""}, cells[1])]
        result = import_grids(upload("b.geojson", qgis_geojson(again)))
        self.assertEqual((result.created, result.updated), (0, 1))
        grid = Grid.objects.get()
        self.assertEqual((grid.name, grid.community_unit), ("老街", self.cast.community))
        self.assertEqual(grid.min_lon, round(cells[1]["coordinates"][0][0][0], 7))
        result = import_grids(upload("b.geojson", qgis_geojson(again)))
        self.assertEqual((result.updated, result.unchanged), (0, 1))

    def test_codes_are_not_regenerated_over_a_community_that_has_grids(self):
        cells = list(grid_polygons(BBOX, 100))
        features = [({"所属社区": COMMUNITY_CODE}, c) for c in cells]
        import_grids(upload("a.geojson", qgis_geojson(features)))
        with self.assertRaises(ValidationError) as caught:
            import_grids(upload("a.geojson", qgis_geojson(features)))
        self.assertIn("“丙街道丁社区”已有6个网格", messages(caught))
        mixed = [({"网格编码": f"{COMMUNITY_CODE}101", "所属社区": COMMUNITY_CODE}, cells[0]),
                 ({"所属社区": COMMUNITY_CODE}, cells[1]), ({}, cells[2])]
        with self.assertRaises(ValidationError) as caught:
            import_grids(upload("m.geojson", qgis_geojson(mixed)))
        text = messages(caught)
        self.assertIn("有的填了编码", text)
        self.assertIn("第3个要素“网格编码”：为空，且没有“所属社区”", text)

    def test_dry_run_checks_everything_and_stores_nothing(self):
        features = [({"所属社区": COMMUNITY_CODE}, c) for c in grid_polygons(BBOX, 100)]
        result = import_grids(upload("a.geojson", qgis_geojson(features)), dry_run=True)
        self.assertEqual((result.created, result.dry_run), (6, True))
        self.assertIn("将新增网格6个", result.summary())
        self.assertEqual(Grid.objects.count(), 0)

    def test_only_the_office_imports(self):
        features = [({"所属社区": COMMUNITY_CODE}, c) for c in grid_polygons(BBOX, 100)]
        with self.assertRaises(PermissionDenied):
            import_grids(upload("a.geojson", qgis_geojson(features)),
                         acting_user=self.cast.reporter_a)


class ComponentImportTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cells = list(grid_polygons(BBOX, 100))
        import_grids(upload("g.geojson", qgis_geojson([({"所属社区": COMMUNITY_CODE}, c)
                                                       for c in cells])))

    def test_office_workbook_with_merged_header_sections_and_total(self):
        data = office_workbook([
            "一、公用设施类",
            (["1", "4199010101000001", "上水井盖", "0101", "甲局", "完好", 113.3705, 34.5015,
              ""], 2),
            ["2", "4199010101000002", "上水井盖", "101", None, "破损", 113.3725, 34.5005, ""],
            "二、市容环境设施类",
            ["3", 4199010301000001, "垃圾箱", None, "乙局", None, "113.3715", "34.5005", ""],
            ["合  计", None, "3个", None, None, None, None, None, None],
        ])
        result = import_components(upload("部件普查表.xlsx", data),
                                   acting_user=self.cast.office_admin)
        self.assertEqual(result.created, 3)
        cover1, cover2, bin_ = Component.objects.order_by("code")
        self.assertEqual((cover1.name, cover1.type_code, cover1.owner_unit, cover1.state),
                         ("上水井盖", "0101", self.cast.unit_a, ComponentState.GOOD))
        self.assertEqual(cover1.grid.code, f"{COMMUNITY_CODE}001")  # north-west cell
        # The 权属单位 merged down over two rows belongs to both; 101 typed as a number.
        self.assertEqual((cover2.owner_unit, cover2.type_code, cover2.state),
                         (self.cast.unit_a, "0101", ComponentState.DAMAGED))
        self.assertEqual(cover2.grid.code, f"{COMMUNITY_CODE}006")
        # A 16-digit code typed as a number; the type taken from its 7th-10th digits.
        self.assertEqual((bin_.code, bin_.type_code, bin_.owner_unit, bin_.state),
                         ("4199010301000001", "0301", self.cast.unit_b, ComponentState.GOOD))
        self.assertEqual(cover1.created_by, self.cast.office_admin)
        self.assertTrue(ObjectChange.objects.filter(object_id=cover1.pk,
                                                    object_repr__startswith="4199").exists())

    def test_bad_rows_name_row_and_column_and_nothing_is_stored(self):
        data = office_workbook([
            "一、公用设施类",
            ["1", "4199010101000001", "上水井盖", "0101", "甲局", "完好", 113.3705, 34.5015, ""],
            ["2", "4199010101000002", "上水井盖", "0101", "丙局", "完好", "113.37o5", 34.5015, ""],
            ["3", "4199010101000003", "上水井盖", "01a1", "甲局", "好的", 34.5015, 113.3705, ""],
            ["4", None, "雨水井盖", "0103", "甲局", "完好", 113.3705, 34.5015, ""],
            ["5", "4199010101000001", "上水井盖", "0101", "甲局", "完好", 113.3705, 34.5015, ""],
            ["6", "4199010101000006", "上水井盖", "0101", "甲局", "完好", 480000.0, 3820000.0,
             ""],
        ])
        with self.assertRaises(ValidationError) as caught:
            import_components(upload("部件.xlsx", data))
        text = messages(caught)
        self.assertIn("第7行“权属单位（E列）”：未找到单位“丙局”", text)
        self.assertIn("第7行“经度（G列）”：应为数值，填写的是“113.37o5”", text)
        self.assertIn("第8行“部件类型代码（D列）”：应为4位数字", text)
        self.assertIn("第8行“部件状态（F列）”：“好的”不是部件状态", text)
        self.assertIn("经度和纬度可能填反了", text)
        self.assertIn("第9行“部件标识码（B列）”：不能为空", text)
        self.assertIn("第10行“部件标识码（B列）”：“4199010101000001”与第6行重复", text)
        self.assertIn("第11行“经度（G列）”“纬度（H列）”：（480000, 3.82e+06）不是经纬度", text)
        self.assertEqual(Component.objects.count(), 0)

    def test_zipped_gbk_point_shapefile(self):
        x0, y0 = ORIGIN
        rows = [({"标识码": "4199010101000011", "部件名称": "上水井盖", "权属单位": "甲局",
                  "状态": "丢失"}, Point(x0 + 50, y0 + 50)),
                ({"标识码": "4199010401000001", "部件名称": "行道树", "权属单位": "419901001000",
                  "状态": "完好"}, Point(x0 + 150, y0 + 50))]
        result = import_components(upload("部件.zip", point_shapefile_zip(rows)))
        self.assertEqual(result.created, 2)
        self.assertIn("2个部件不在任何网格内", result.summary())
        cover = Component.objects.get(code="4199010101000011")
        self.assertEqual((cover.name, cover.owner_unit, cover.state, cover.type_code),
                         ("上水井盖", self.cast.unit_a, ComponentState.MISSING, "0101"))
        expected = to_lonlat(Point(x0 + 50, y0 + 50))
        self.assertAlmostEqual(cover.lon, expected.x, places=6)
        self.assertAlmostEqual(cover.lat, expected.y, places=6)
        tree = Component.objects.get(code="4199010401000001")
        self.assertEqual(tree.owner_unit, self.cast.town)  # by 行政区划代码

    def test_qgis_geojson_points_and_a_single_multipoint(self):
        features = [({"ObjID": "4199010101000021", "ObjName": "上水井盖", "DeptName1": "甲局",
                      "ObjState": "完好"}, {"type": "Point", "coordinates": [113.3705, 34.5015]}),
                    ({"ObjID": "4199010102000001", "ObjName": "污水井盖", "DeptName1": "乙局",
                      "ObjState": "损坏"},
                     {"type": "MultiPoint", "coordinates": [[113.3725, 34.5005]]})]
        result = import_components(upload("部件.geojson", qgis_geojson(features, "部件")))
        self.assertEqual(result.created, 2)
        sewer = Component.objects.get(code="4199010102000001")
        self.assertEqual((sewer.type_code, sewer.owner_unit, sewer.state, sewer.grid.code),
                         ("0102", self.cast.unit_b, ComponentState.DAMAGED,
                          f"{COMMUNITY_CODE}006"))
        self.assertEqual((sewer.lon, sewer.lat), (113.3725, 34.5005))

    def test_reimport_updates_state_and_moves_the_grid_and_blank_clears_nothing(self):
        first = office_workbook([["1", "4199010101000001", "上水井盖", "0101", "甲局", "完好",
                                  113.3705, 34.5015, ""]])
        import_components(upload("a.xlsx", first))
        moved = office_workbook([["1", "4199010101000001", None, None, None, "损坏",
                                  113.3725, 34.5005, ""]])
        result = import_components(upload("b.xlsx", moved))
        self.assertEqual((result.created, result.updated), (0, 1))
        cover = Component.objects.get()
        self.assertEqual((cover.name, cover.owner_unit, cover.state),
                         ("上水井盖", self.cast.unit_a, ComponentState.DAMAGED))
        self.assertEqual(cover.grid.code, f"{COMMUNITY_CODE}006")
        result = import_components(upload("b.xlsx", moved))
        self.assertEqual(result.unchanged, 1)

    def test_type_codes_are_checked_against_the_type_table_when_it_has_components(self):
        CaseType.objects.create(kind=CaseKind.COMPONENT, major_code="01", major_name="公用设施",
                                minor_code="01", minor_name="上水井盖", group="order")
        data = office_workbook([
            ["1", "4199010101000001", "上水井盖", "0101", "甲局", "完好", 113.3705, 34.5015, ""],
            ["2", "4199010199000001", "其他", "0199", "甲局", "完好", 113.3705, 34.5015, ""]])
        with self.assertRaises(ValidationError) as caught:
            import_components(upload("部件.xlsx", data))
        self.assertIn("第6行“部件类型代码（D列）”：“0199”不在部件类型表中", messages(caught))
        self.assertEqual(Component.objects.count(), 0)

    def test_the_grid_locator_answers_as_grid_objects_containing(self):
        locate = GridLocator()
        # Inside, on shared edges and corners, outside the community, and far away.
        lons = [113.3699, 113.370, 113.3705, 113.371, 113.3712, 113.3716, 113.3722, 113.373,
                113.3731]
        lats = [34.4999, 34.500, 34.5004, 34.50085, 34.5012, 34.5017, 34.5018]
        corners = [tuple(p) for g in Grid.objects.all() for p in g.geometry["coordinates"][0]]
        self.assertEqual(len(set(corners)), 12)
        for lon, lat in [*((x, y) for x in lons for y in lats), *corners]:
            self.assertEqual(locate(lon, lat), Grid.objects.containing(lon, lat), (lon, lat))
        Grid.objects.get(code=f"{COMMUNITY_CODE}001").archive()
        self.assertIsNone(GridLocator()(113.3705, 34.5015))

    def test_a_polygon_layer_is_not_components(self):
        geometry = mapping(box(113.37, 34.50, 113.371, 34.501))
        with self.assertRaises(ValidationError) as caught:
            import_components(upload("x.geojson", qgis_geojson([({"部件标识码": "1",
                                                                   "部件类型代码": "0101"},
                                                                  geometry)])))
        self.assertIn("第1个要素：部件应为点，文件中是Polygon", messages(caught))

    def test_a_workbook_without_the_code_column_says_so(self):
        wb = Workbook()
        wb.active.append(["名称", "经度", "纬度"])
        wb.active.append(["井盖", 113.37, 34.5])
        buffer = io.BytesIO()
        wb.save(buffer)
        with self.assertRaises(ValidationError) as caught:
            import_components(upload("x.xlsx", buffer.getvalue()))
        self.assertIn("未找到表头", messages(caught))
        with self.assertRaises(ValidationError):
            import_components(upload("x.xlsx", b"not a workbook"))


def line_coords(x0, x1, y=34.501):
    return {"type": "LineString", "coordinates": [[x0, y], [x1, y]]}


class RoadImportTests(CastTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.mayor = org.do_create_person(name="王建国", title="副市长", phone="13912345678")

    def road_features(self, **overrides):
        rows = [
            {"道路名称": "建设路", "段序": 1, "起点": "西环路", "终点": "人民路",
             "市级路长": "王建国", "区级(街道)路长": "丙一", "社区路长": "丁一（丙街道丁社区）"},
            {"道路名称": "建设路", "段序": 2, "起点": "人民路", "终点": "东环路",
             "市级路长": "王建国", "区级(街道)路长": str(self.cast.person_town.pk),
             "社区路长": ""},
        ]
        for i, changes in overrides.items():
            rows[int(i[1:])].update(changes)
        geoms = [line_coords(113.370, 113.372), line_coords(113.372, 113.375)]
        return qgis_geojson(list(zip(rows, geoms, strict=True)), "六纵六横")

    def test_qgis_lines_become_a_road_with_segments_and_chiefs(self):
        result = import_roads(upload("道路.geojson", self.road_features()),
                              acting_user=self.cast.office_admin)
        self.assertEqual(result.created, 2)
        self.assertIn("新增道路1条：建设路", result.summary())
        first, second = RoadSegment.objects.order_by("order")
        self.assertEqual((first.road.name, first.name, first.start_name, first.end_name),
                         ("建设路", "建设路第1段", "西环路", "人民路"))
        sign = sign_for_segment(first)
        self.assertEqual([c["name"] for c in sign["chiefs"]], ["王建国", "丙一", "丁一"])
        self.assertEqual(sign["chiefs"][0]["phone"], "139****5678")
        self.assertEqual([c["vacant"] for c in sign_for_segment(second)["chiefs"]],
                         [False, False, True])
        self.assertEqual(segment_for_point(113.3735, 34.5011), second)

    def test_unknown_and_ambiguous_chiefs_name_row_and_column_and_nothing_is_stored(self):
        org.do_create_person(name="丙一", unit=self.cast.unit_a)  # a second 丙一
        data = self.road_features(r0={"市级路长": "李四"}, r1={"段序": "1"})
        with self.assertRaises(ValidationError) as caught:
            import_roads(upload("道路.geojson", data))
        text = messages(caught)
        self.assertIn("第1个要素“市级路长”：未找到人员“李四”", text)
        self.assertIn("第1个要素“区级(街道)路长”：有2名人员叫“丙一”", text)
        self.assertIn("第2个要素“段序”：“建设路”第1段与第1个要素重复", text)
        self.assertEqual((Road.objects.count(), RoadSegment.objects.count(),
                          RoadChief.objects.count()), (0, 0, 0))

    def test_a_missing_start_is_named_by_its_column(self):
        data = self.road_features(r0={"起点": ""})
        with self.assertRaises(ValidationError) as caught:
            import_roads(upload("道路.geojson", data))
        self.assertIn("第1个要素“起点”：", messages(caught))
        self.assertEqual(Road.objects.count(), 0)

    def test_reimport_replaces_a_changed_chief_and_keeps_the_rest(self):
        import_roads(upload("a.geojson", self.road_features()))
        data = self.road_features(r0={"市级路长": "领导甲", "社区路长": ""})
        result = import_roads(upload("b.geojson", data))
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 1, 1))
        first = RoadSegment.objects.get(order=1)
        chiefs = {c.level: c.person.name for c in first.chiefs.active()}
        self.assertEqual(chiefs, {RoadChiefLevel.CITY: "领导甲", RoadChiefLevel.DISTRICT: "丙一",
                                  RoadChiefLevel.COMMUNITY: "丁一"})
        self.assertEqual(first.chiefs.exclude(archived_at=None).get().person, self.mayor)


class CommandTests(CastTestCase):
    def write(self, name, data):
        tmp = tempfile.mkdtemp()
        path = os.path.join(tmp, name)
        with open(path, "wb") as fh:
            fh.write(data)
        self.addCleanup(lambda: (os.remove(path), os.rmdir(tmp)))
        return path

    def test_commands_import_dry_run_and_report_problems(self):
        features = [({"所属社区": COMMUNITY_CODE}, c) for c in grid_polygons(BBOX, 100)]
        path = self.write("网格.geojson", qgis_geojson(features))
        out = io.StringIO()
        call_command("import_grids", path, "--dry-run", stdout=out)
        self.assertIn("将新增网格6个", out.getvalue())
        self.assertEqual(Grid.objects.count(), 0)
        call_command("import_grids", path, "--as-user", "office_admin", stdout=out)
        self.assertEqual(Grid.objects.count(), 6)
        change = ObjectChange.objects.filter(object_repr__startswith=COMMUNITY_CODE).first()
        self.assertEqual(change.user, self.cast.office_admin)

        data = office_workbook([["1", "X1", "井盖", "0101", "无此局", "完好", 113.3705, 34.5015,
                                 ""]])
        err = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("import_components", self.write("部件.xlsx", data), stderr=err)
        self.assertIn("第5行“权属单位（E列）”：未找到单位“无此局”", err.getvalue())

        roads = qgis_geojson([({"路名": "人民路", "起点": "北环", "终点": "南环"},
                               line_coords(113.370, 113.372))])
        call_command("import_roads", self.write("路.geojson", roads), stdout=out)
        self.assertEqual(RoadSegment.objects.get().name, "人民路第1段")
