"""Uploads staged between two steps of an import (preview, then 确认导入), under
MEDIA_ROOT. A clerk who never confirms leaves the file behind; `purge_staged_uploads`
removes the old ones daily."""

from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

LEDGER_IMPORTS = "ledger-imports"  # 台账导入: the rows a preview read and validated (JSON)
LAYER_IMPORTS = "layer-imports"    # 图层管理: an uploaded file waiting for the clerk's choice
STAGING_FOLDERS = (LEDGER_IMPORTS, LAYER_IMPORTS)


def purge_staged(older_than: timedelta, *, now=None) -> list[str]:
    """Delete the staged files last written before `now - older_than`; their paths."""
    cutoff = (now or timezone.now()) - older_than
    removed = []
    for folder in STAGING_FOLDERS:
        if not default_storage.exists(folder):
            continue
        for name in default_storage.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed.append(path)
    return removed
