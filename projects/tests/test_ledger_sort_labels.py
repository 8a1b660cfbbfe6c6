"""The ledger's sort list reads in Chinese, descending entries included."""

import re

import pytest

from projects.filtersets import ProjectFilterSet
from tests.cast import build_cast

pytestmark = pytest.mark.django_db


def test_every_sort_choice_is_chinese():
    labels = [label for value, label in ProjectFilterSet().form.fields["ordering"].choices if value]
    assert "项目编号" in labels and "项目编号（降序）" in labels
    assert "总投资（降序）" in labels
    assert all(not re.search(r"[A-Za-z]", label) for label in labels), labels


def test_the_ledger_page_offers_no_english(client):
    cast = build_cast()
    client.force_login(cast.office_staff)
    page = client.get("/projects/").content.decode()
    assert "descending" not in page and "ascending" not in page
    assert "开工日期（降序）" in page
