"""Battle-map, cockpit and conformity benchmarks at --scale large (issue 4).

    CHENGJIAN_VAR_DIR=/tmp/cjl python bench/maps.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chengjian_bench python bench/maps.py

Each figure is printed beside a ceiling measured in the same run.
"""

import time

from _django import database_label, median_ms

from django.db import connection, transaction
from django.test import Client

from geo.models import Feature
from maps import conformity
from maps.actions import do_check_conformity
from org.models import User
from projects.models import Project


def main():
    user = User.objects.get(username="bangongshi")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    n = Project.objects.exclude(geometry=None).count()
    zones = Feature.objects.filter(version__layer__kind="land_use",
                                   version__layer__current_version__isnull=False).count()
    print(f"database: {database_label()}; {n} located projects; {zones} land-use polygons")

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    points = "/maps/data/projects.geojson?zoom=11"
    shapes = "/maps/data/projects.geojson?zoom=15&bbox=113.36,34.49,113.40,34.53"
    size_points = len(get(points).content)
    size_shapes = len(get(shapes).content)

    def raw_points():
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, code, name, (min_lon + max_lon) / 2, (min_lat + max_lat) / 2 "
                           "FROM projects_project WHERE min_lon IS NOT NULL")
            cursor.fetchall()

    print("## map data (all visible projects)")
    print(f"  points, zoom 11        median {median_ms(lambda: get(points)):7.1f} ms   "
          f"payload {size_points / 1024:7.0f} KB")
    print(f"  shapes, zoom 15 view   median {median_ms(lambda: get(shapes)):7.1f} ms   "
          f"payload {size_shapes / 1024:7.0f} KB")
    print(f"  ceiling: raw SQL of the same points median {median_ms(raw_points):7.1f} ms")
    print(f"  ceiling: bare view /healthz         median {median_ms(lambda: get('/healthz')):7.1f} ms")

    print("## cockpit")
    print(f"  /maps/cockpit/  median {median_ms(lambda: get('/maps/cockpit/')):7.1f} ms")
    print(f"  /maps/screen/   median {median_ms(lambda: get('/maps/screen/')):7.1f} ms")

    print("## conformity check of every located project")
    start = time.perf_counter()
    index, _ = conformity.build_index()
    build = time.perf_counter() - start
    geoms = [conformity.geometry_of(p) for p in Project.objects.exclude(geometry=None)
             .only("geometry")]
    start = time.perf_counter()
    for g in geoms:
        index.tree.query(index.footprint(g), predicate="intersects")
    tree_only = time.perf_counter() - start

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            start = time.perf_counter()
            records = do_check_conformity(Project.objects.exclude(geometry=None))
            full = time.perf_counter() - start
            raise Rollback  # keep the benchmark database as it was
    except Rollback:
        pass
    print(f"  full batch (index + overlay + verdicts + records): {full:6.2f} s for "
          f"{len(records)} projects × {len(index.zones)} zones")
    print(f"  ceiling: building the STRtree index alone        {build:6.2f} s")
    print(f"  ceiling: STRtree queries alone (no areas)         {tree_only:6.2f} s")


if __name__ == "__main__":
    main()
