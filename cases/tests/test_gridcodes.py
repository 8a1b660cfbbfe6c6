"""Grid codes: 12-digit community code + 3-digit sequence, west→east, north→south (no database)."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box, shape

from cases.gridcodes import grid_polygons, number_grids, rows_of
from cases.models import validate_grid_code
from geo.geometry import area_m2, parse_geojson

COMMUNITY = "320508001002"
D = 0.001  # about 100 m of latitude


def cell(col, row, dx=0.0, dy=0.0):
    """A square at column `col` (from the west) and row `row` (from the north)."""
    west = 120.0 + col * D + dx
    top = 31.0 - row * D + dy
    return box(west, top - D, west + D, top)


def test_three_by_two_numbered_west_to_east_then_north_to_south():
    cells = {(c, r): cell(c, r) for r in range(2) for c in range(3)}
    keys = list(cells)
    random.Random(4).shuffle(keys)
    codes = dict(zip(keys, number_grids([cells[k] for k in keys], COMMUNITY), strict=True))
    assert codes[(0, 0)] == "320508001002001"
    assert codes[(1, 0)] == "320508001002002"
    assert codes[(2, 0)] == "320508001002003"
    assert codes[(0, 1)] == "320508001002004"
    assert codes[(2, 1)] == "320508001002006"


def test_nearly_aligned_grids_share_a_row():
    # The eastern grid is drawn 40 % of a cell higher: still the first row, numbered after
    # its western neighbour, not before it.
    west, east_high, below = cell(0, 0), cell(1, 0, dy=0.4 * D), cell(0, 1)
    assert number_grids([below, east_high, west], COMMUNITY) == [
        "320508001002003", "320508001002002", "320508001002001"]


def test_a_grid_more_than_half_a_row_lower_starts_the_next_row():
    west, east_low = cell(0, 0), cell(1, 0, dy=-0.6 * D)
    assert number_grids([east_low, west], COMMUNITY) == ["320508001002002", "320508001002001"]
    assert rows_of([east_low, west]) == [[1], [0]]


def test_geojson_mappings_are_accepted_and_codes_are_valid():
    polygons = list(grid_polygons((120.0, 31.0, 120.003, 31.002), 100))
    codes = number_grids(polygons, COMMUNITY)
    assert codes == [f"{COMMUNITY}{i:03d}" for i in range(1, len(polygons) + 1)]
    for code in codes:
        validate_grid_code(code)  # raises if not 15 digits or sequence 000


@pytest.mark.parametrize("bad", ["", "32050800100", "3205080010021", "32050800100x", None])
def test_bad_community_code_is_refused_in_chinese(bad):
    with pytest.raises(ValueError, match="12位数字"):
        number_grids([cell(0, 0)], bad)


def test_more_than_999_grids_is_refused():
    with pytest.raises(ValueError, match="最多999个"):
        number_grids([cell(i % 40, i // 40) for i in range(1000)], COMMUNITY)


def test_empty_community():
    assert number_grids([], COMMUNITY) == []


def test_grid_polygons_are_valid_squares_of_about_ten_thousand_square_metres():
    bbox = (120.30, 31.50, 120.32, 31.51)
    polygons = list(grid_polygons(bbox, 100))
    for polygon in polygons:
        geom = parse_geojson(polygon, allowed={"Polygon"})  # the Grid model's own check
        assert geom.exterior.is_ccw
        assert 9_900 < area_m2(geom) < 10_100
    # They cover the bbox whole, and without overlap.
    union = shape(polygons[0])
    for polygon in polygons[1:]:
        union = union.union(shape(polygon))
    assert union.covers(box(*bbox))
    assert abs(union.area - sum(shape(p).area for p in polygons)) < 1e-9


def test_grid_polygons_are_yielded_in_numbering_order():
    polygons = list(grid_polygons((116.30, 39.90, 116.31, 39.905), 100))
    shuffled = polygons[:]
    random.Random(7).shuffle(shuffled)
    codes = dict(zip(map(str, shuffled), number_grids(shuffled, COMMUNITY), strict=True))
    assert [codes[str(p)] for p in polygons] == sorted(codes.values())


@pytest.mark.parametrize("bbox,size", [((1, 1, 1, 2), 100), ((1, 2, 2, 1), 100),
                                       ((1, 1, 2, 2), 0)])
def test_grid_polygons_bad_input(bbox, size):
    with pytest.raises(ValueError):
        list(grid_polygons(bbox, size))


@settings(max_examples=60, deadline=None)
@given(cols=st.integers(1, 6), rows=st.integers(1, 6), seed=st.integers(0, 10_000),
       jitter=st.floats(0, 0.24))
def test_jittered_rectangle_numbers_row_major(cols, rows, seed, jitter):
    """Any hand-drawn jitter under a quarter cell keeps row-major numbering: within a row
    centroids then differ by under half a cell (the band), between rows by over half."""
    rnd = random.Random(seed)
    cells = [((c, r), cell(c, r, rnd.uniform(-jitter, jitter) * D,
                           rnd.uniform(-jitter, jitter) * D))
             for r in range(rows) for c in range(cols)]
    rnd.shuffle(cells)
    codes = number_grids([g for _, g in cells], COMMUNITY)
    for ((c, r), _), code in zip(cells, codes, strict=True):
        assert int(code[12:]) == r * cols + c + 1
