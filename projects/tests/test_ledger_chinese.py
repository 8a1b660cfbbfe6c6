"""The ledger reads in Chinese: its sort list (descending entries included), a project's location."""

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


def test_a_projects_location_is_named_in_chinese(client):
    from tests.ledger_cast import build_ledger

    cast = build_cast()
    ledger = build_ledger(cast)
    client.force_login(cast.reporter_a)
    page = client.get(f"/projects/{ledger.project_a.pk}/").content.decode()
    assert "点位（113.38000, 34.51000）" in page and "Point" not in page
