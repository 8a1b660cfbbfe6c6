"""State changes of the map app: conformity checks (each run makes new records)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from geo.choices import LayerKind
from maps import conformity
from maps.choices import BasemapKind
from maps.models import BasemapFeature, ConformityCheck
from org.roles import Cap, has_cap


@transaction.atomic
def do_check_conformity(projects, *, acting_user=None) -> list[ConformityCheck]:
    """Check projects against the current plan layers; store one record per project.

    The index of zones is built once for the whole batch; projects without a
    location are skipped (there is nothing to overlay).
    """
    if acting_user is not None and not has_cap(acting_user, Cap.MANAGE_PROJECTS):
        raise PermissionDenied("只有领导小组办公室可以发起规划符合性审查。")
    index, versions = conformity.build_index()
    if not index.zones:
        raise ValidationError("尚未导入用地性质或保护区图层，无法审查。")
    rules = conformity.load_rules()
    has_boundary = any(v["kind"] == LayerKind.URBAN_BOUNDARY for v in versions)
    records = []
    for project in projects.select_related("category") if hasattr(projects, "select_related") \
            else projects:
        geom = conformity.geometry_of(project)
        if geom is None:
            continue
        hits = index.hits(geom)
        verdict, reasons = conformity.judge(hits, project.category.code, rules,
                                            has_urban_boundary=has_boundary)
        records.append(ConformityCheck(
            project=project, verdict=verdict, reasons=reasons, zones=conformity.zone_rows(hits),
            layer_versions=versions, project_area_m2=round(index.area_m2(geom), 1),
            geometry=project.geometry, category_code=project.category.code, run_by=acting_user))
    return ConformityCheck.objects.bulk_create(records, batch_size=500)


@transaction.atomic
def do_replace_basemap(features, *, acting_user=None) -> int:
    """Replace the offline basemap whole with `features`: dicts of kind, name, rank and a
    GeoJSON geometry in longitude/latitude. A basemap is one drawing, never merged."""
    if acting_user is not None and not has_cap(acting_user, Cap.MANAGE_PROJECTS):
        raise PermissionDenied("只有领导小组办公室可以更换底图。")
    rows = []
    for order, f in enumerate(features):
        if f["kind"] not in BasemapKind.values:
            raise ValidationError(f"未知的底图要素类型：{f['kind']}")
        rows.append(BasemapFeature(kind=f["kind"], name=f.get("name", ""), rank=f.get("rank", 2),
                                   geometry=f["geometry"], sort_order=order))
    BasemapFeature.objects.all().delete()
    return len(BasemapFeature.objects.bulk_create(rows, batch_size=500))
