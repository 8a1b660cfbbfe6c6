"""图层管理 upload: a zip with several shapefiles is listed and each goes where the clerk says;
the page and the command import through the same function."""

import io
import os
import tempfile

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from geo.choices import LayerKind
from geo.models import Feature, Layer, LayerVersion
from geo.tests.factories import shapefile_parts, square_m, zip_of
from tests.base import CastTestCase

LAND = [({"用地性质": "二类居住用地", "名称": "城东片区甲地块"}, square_m(0, 0, 100, 100))]
REDLINE = [({"名称": "南山水源涵养区"}, square_m(300, 0, 400, 80))]
LAND_LABEL, RED_LABEL = "成果/规划用地.shp", "成果/生态保护红线.shp"


def two_layer_zip():
    return zip_of({"成果/规划用地": shapefile_parts(LAND),
                   "成果/生态保护红线": shapefile_parts(REDLINE)}, gbk_names=True)


class LayerUploadPageTests(CastTestCase):
    def upload(self, data, filename="规划成果.zip", **fields):
        return self.client.post("/maps/layers/", {"file": SimpleUploadedFile(filename, data),
                                                  **fields})

    def test_several_shapefiles_are_listed_then_each_imported_as_its_own_layer(self):
        self.login(self.cast.office_admin)
        response = self.upload(two_layer_zip(), name="控规", kind="land_use")
        self.assertRedirects(response, "/maps/layers/choose/")
        self.assertFalse(LayerVersion.objects.exists())  # nothing yet: the clerk chooses
        staged = self.client.session["layer_import"]["path"]
        self.assertTrue(default_storage.exists(staged))
        page = self.client.get("/maps/layers/choose/")
        self.assertContains(page, "共有 2 个图层")
        for text in (LAND_LABEL, RED_LABEL, "用地性质、名称", 'value="规划用地"',
                     'value="生态保护红线"'):
            self.assertContains(page, text)
        response = self.client.post("/maps/layers/choose/", {
            "s0-pick": "on", "s0-name": "生态保护红线", "s0-kind": "eco_redline",
            "s1-pick": "on", "s1-name": "控规用地", "s1-kind": "land_use"}, follow=True)
        self.assertContains(response, "已导入“生态保护红线”第1版，共1个要素")
        self.assertContains(response, "“控规用地”第1版，共1个要素")
        land = Feature.objects.get(version__layer__name="控规用地")
        self.assertEqual((land.land_use, land.name), ("二类居住用地", "城东片区甲地块"))
        self.assertEqual(Layer.objects.get(name="生态保护红线").kind, LayerKind.ECO_REDLINE)
        self.assertFalse(default_storage.exists(staged))  # the staged upload is removed

    def test_a_wrong_choice_imports_nothing_and_says_why(self):
        self.login(self.cast.office_admin)
        self.upload(two_layer_zip())
        staged = self.client.session["layer_import"]["path"]
        response = self.client.post("/maps/layers/choose/", {
            "s0-pick": "on", "s0-name": "红线", "s0-kind": "land_use",
            "s1-pick": "on", "s1-name": "控规用地", "s1-kind": "land_use"})
        self.assertContains(response, f"{RED_LABEL}：用地性质图层缺少“用地性质”属性",
                            status_code=400)
        response = self.client.post("/maps/layers/choose/", {"s0-kind": "road"})
        self.assertContains(response, "请至少选择一个要导入的图层", status_code=400)
        self.assertFalse(Layer.objects.exists())
        self.assertRedirects(self.client.post("/maps/layers/choose/", {"cancel": "1"}),
                             "/maps/layers/")
        self.assertFalse(default_storage.exists(staged))
        self.assertRedirects(self.client.get("/maps/layers/choose/"), "/maps/layers/")

    def test_a_single_layer_without_a_target_is_offered_with_its_name(self):
        self.login(self.cast.office_admin)
        data = zip_of({"数据/规划用地": shapefile_parts(LAND)})
        self.assertRedirects(self.upload(data, filename="规划用地.zip"), "/maps/layers/choose/")
        self.assertContains(self.client.get("/maps/layers/choose/"), 'value="规划用地"')

    def test_a_bad_file_is_refused_on_the_upload_page(self):
        self.login(self.cast.office_admin)
        response = self.upload(b"PK\x03\x04broken", filename="坏.zip", name="x", kind="road")
        self.assertContains(response, "无法读取文件“坏.zip”", status_code=400)

    def test_only_the_office_uploads(self):
        self.login(self.cast.reporter_a)
        self.assertEqual(self.upload(two_layer_zip()).status_code, 403)
        self.assertEqual(self.client.get("/maps/layers/choose/").status_code, 403)


class ImportLayerCommandTests(CastTestCase):
    def test_the_command_lists_and_imports_one_chosen_layer(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "规划成果.zip")
            with open(path, "wb") as fh:
                fh.write(two_layer_zip())
            out = io.StringIO()
            call_command("import_layer", path, "--list", stdout=out)
            self.assertIn(f"{LAND_LABEL}\t1个要素", out.getvalue())
            self.assertIn(RED_LABEL, out.getvalue())
            with self.assertRaisesMessage(CommandError, "中有2个图层"):
                call_command("import_layer", path, "--new", "红线", "--kind", "eco_redline")
            call_command("import_layer", path, "--source", RED_LABEL, "--new", "生态保护红线",
                         "--kind", "eco_redline", stdout=out)
        self.assertIn("已导入“生态保护红线”第1版，共1个要素", out.getvalue())
        self.assertEqual(Feature.objects.get().name, "南山水源涵养区")
