"""规划符合性审查: overlay projects on the current plan layers and judge them."""

from shapely.geometry import shape

from geo.choices import PROTECTED_KINDS, LayerKind
from geo.conformity import Hit, Zone, ZoneIndex
from geo.models import Feature, LandUseRule, Layer
from maps.choices import Verdict

CHECKED_KINDS = (LayerKind.LAND_USE, LayerKind.ECO_REDLINE, LayerKind.FARMLAND,
                 LayerKind.URBAN_BOUNDARY)
MIN_SHARE = 0.01  # slivers under 1 % of the project are drawing noise, not land use
MIN_INTRUSION_M2 = 1.0


def build_index() -> tuple[ZoneIndex, list[dict]]:
    """All features of the current versions of the checked layers, and those versions."""
    layers = list(Layer.objects.filter(kind__in=CHECKED_KINDS, current_version__isnull=False)
                  .select_related("current_version"))
    versions = {layer.current_version_id: layer for layer in layers}
    zones, geoms = [], []
    for f in Feature.objects.filter(version_id__in=versions).only(
            "id", "version_id", "land_use", "name", "geometry").iterator(chunk_size=5000):
        layer = versions[f.version_id]
        zones.append(Zone(f.id, f.version_id, layer.name, layer.kind, f.land_use, f.name))
        geoms.append(shape(f.geometry))
    used = [{"layer": layer.name, "kind": layer.kind, "version": layer.current_version.number,
             "version_id": layer.current_version_id} for layer in layers]
    return ZoneIndex(zones, geoms), used


def load_rules() -> dict[tuple[str, str], bool]:
    return {(r.land_use, r.category_code): r.allowed for r in LandUseRule.objects.all()}


def judge(hits: list[Hit], category_code: str, rules: dict, *, has_urban_boundary: bool):
    """The verdict and its reasons, in Chinese, from the zones a project touches."""
    reasons: list[tuple[str, str]] = []  # (severity, text)
    for hit in hits:
        if hit.zone.kind in PROTECTED_KINDS and (hit.overlap_m2 >= MIN_INTRUSION_M2
                                                 or hit.overlap_m2 == 0):
            label = LayerKind(hit.zone.kind).label
            area = f"{hit.overlap_m2:.0f}平方米" if hit.overlap_m2 else "项目点位"
            reasons.append((Verdict.FAIL, f"侵入{label}（{hit.zone.layer_name}）{area}"))
    land = [h for h in hits if h.zone.kind == LayerKind.LAND_USE and h.share >= MIN_SHARE]
    if not land:
        reasons.append((Verdict.CONDITIONAL, "项目不在用地性质图层覆盖范围内，需人工核实"))
    for hit in land:
        allowed = rules.get((hit.zone.land_use, category_code))
        share = f"{hit.share * 100:.1f}%"
        if allowed is None:
            reasons.append((Verdict.FAIL, f"占用“{hit.zone.land_use}”用地{share}，"
                                          f"该用地性质不允许此类项目"))
        elif not allowed:
            reasons.append((Verdict.CONDITIONAL, f"占用“{hit.zone.land_use}”用地{share}，"
                                                 "需规划调整或论证后方可建设"))
    if has_urban_boundary:
        inside = sum(h.share for h in hits if h.zone.kind == LayerKind.URBAN_BOUNDARY)
        if inside < 0.99:
            reasons.append((Verdict.CONDITIONAL,
                            f"{(1 - min(inside, 1)) * 100:.1f}%位于城镇开发边界外"))
    severities = {s for s, _ in reasons}
    verdict = Verdict.FAIL if Verdict.FAIL in severities else (
        Verdict.CONDITIONAL if Verdict.CONDITIONAL in severities else Verdict.PASS)
    texts = [t for _, t in reasons] or ["用地性质兼容，未侵入保护区"]
    return verdict, texts


RECORDED_MIN_SHARE = 0.005  # land-use slivers under 0.5 % are left out of the stored table


def zone_rows(hits: list[Hit]) -> list[dict]:
    """The zones worth a row in the record: every protected zone, land use from 0.5 %."""
    return [{"layer": h.zone.layer_name, "kind": h.zone.kind, "land_use": h.zone.land_use,
             "name": h.zone.name, "overlap_m2": round(h.overlap_m2, 1),
             "share": round(h.share, 4), "feature_id": h.zone.feature_id,
             "version_id": h.zone.version_id}
            for h in hits if h.zone.kind != LayerKind.LAND_USE or h.share >= RECORDED_MIN_SHARE]


def geometry_of(project):
    return shape(project.geometry) if project.geometry else None

