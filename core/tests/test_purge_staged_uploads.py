"""purge_staged_uploads: staged import files older than the given age go, newer ones stay,
other media is never touched."""

import os
import shutil
import tempfile
import time
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

from core.staging import LAYER_IMPORTS, LEDGER_IMPORTS
from maps import layer_views
from projects import views_ledger


class PurgeStagedUploadsTests(SimpleTestCase):
    def setUp(self):
        self.media = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.media, True)
        override = override_settings(MEDIA_ROOT=str(self.media))
        override.enable()
        self.addCleanup(override.disable)

    def stage(self, path, hours_old):
        file = self.media / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text("{}")
        then = time.time() - hours_old * 3600
        os.utime(file, (then, then))
        return file

    def test_the_features_stage_in_the_folders_it_purges(self):
        self.assertEqual((views_ledger.STAGING, layer_views.STAGING),
                         (LEDGER_IMPORTS, LAYER_IMPORTS))

    def test_files_older_than_the_age_are_deleted_from_both_folders(self):
        old_ledger = self.stage(f"{LEDGER_IMPORTS}/abc-1.json", 30)
        new_ledger = self.stage(f"{LEDGER_IMPORTS}/abc-2.json", 2)
        old_layer = self.stage(f"{LAYER_IMPORTS}/t1.zip", 25)
        new_layer = self.stage(f"{LAYER_IMPORTS}/t2.gpkg", 23)
        photo = self.stage("photos/2026/old.jpg", 24 * 400)
        out = StringIO()
        call_command("purge_staged_uploads", stdout=out)
        self.assertEqual([f.exists() for f in (old_ledger, new_ledger, old_layer, new_layer,
                                               photo)], [False, True, False, True, True])
        self.assertIn("已删除2个超过24小时的暂存文件", out.getvalue())
        call_command("purge_staged_uploads", "--hours", "1", stdout=out)
        self.assertEqual([f.exists() for f in (new_ledger, new_layer, photo)],
                         [False, False, True])

    def test_no_staging_folder_yet_is_nothing_to_do(self):
        out = StringIO()
        call_command("purge_staged_uploads", stdout=out)
        self.assertIn("已删除0个", out.getvalue())
