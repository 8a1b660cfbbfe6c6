"""One case: its page (type and standards, place, photos, timeline, clock, the steps the
user may take now), the step posts, the desk's extension decisions and the photo files.

Every read goes through Case.objects.visible_to (outside scope: 404); every step calls
its do_* in cases/actions.py, and what the action refuses is shown on the page."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from cases import actions, permissions
from cases.choices import ExtensionStatus
from cases.forms import DecideExtensionForm, errors_text
from cases.models import Case, CasePhoto, ExtensionRequest
from cases.routing import propose_for_case
from cases.selectors import nearby_open
from cases.views_common import (
    STATE_COLOURS,
    STEP_BY_KEY,
    clock_for,
    form_for,
    safe_next,
    steps_for,
)
from core.files import file_view, serve_file
from core.scope import get_for_user
from org.models import Unit


def case_queryset(user):
    return Case.objects.visible_to(user).select_related(
        "type_version__case_type", "grid", "segment__road", "component", "reporter",
        "handling_unit", "checker", "duplicate_of")


def get_case(user, pk) -> Case:
    case = case_queryset(user).filter(pk=pk).first()
    if case is None:
        raise Http404("案件不存在或无权查看。")
    return case


def home_of(user) -> str:
    """Where a user's case work starts (after a step that takes the case out of his sight)."""
    if permissions.is_desk(user):
        return reverse("cases:desk")
    if user.role in permissions.UNIT_STAFF_ROLES:
        return reverse("cases:unit")
    return reverse("home")


def map_point(lon, lat) -> list[float]:
    """A stored (WGS84/CGCS2000) point in the basemap's coordinates."""
    if settings.BASEMAP_IS_GCJ02:
        from geo.gcj02 import shift_geometry

        return shift_geometry({"type": "Point", "coordinates": [lon, lat]})["coordinates"]
    return [lon, lat]


def basemap_settings() -> dict:
    return {"tileUrl": settings.BASEMAP_TILE_URL, "tileKey": settings.BASEMAP_TILE_KEY,
            "tileSubdomains": settings.BASEMAP_TILE_SUBDOMAINS,
            "labelUrl": settings.BASEMAP_LABEL_URL,
            "attribution": settings.BASEMAP_ATTRIBUTION or (
                "底图：天地图" if "tianditu" in settings.BASEMAP_TILE_URL else "底图：本市地理数据")}


def basemap_url(user) -> str:
    """The city's own basemap (maps app) for the roles that may read it; others get tiles
    only, when a tile service is configured."""
    from org.roles import Cap

    return reverse("maps:basemap_data") if user.has_cap(Cap.VIEW_PROJECTS) else ""


class CaseDetailView(View):
    template_name = "cases/case/detail.html"

    def get(self, request, pk):
        user = request.user
        case = get_case(user, pk)
        version = case.type_version
        events = list(case.events.select_related("actor", "unit").order_by("at", "pk"))
        photos = list(case.photos.active().order_by("created_at", "pk"))
        by_event = {}
        for photo in photos:
            by_event.setdefault(photo.event_id, []).append(photo)
        for event in events:
            event.photo_list = by_event.get(event.pk, [])
        clock = clock_for(case)
        pending = case.extension_requests.filter(status=ExtensionStatus.PENDING).select_related(
            "requested_by").first()
        steps = [(step, form_for(step, user, initial=self._initial(step, case)))
                 for step in steps_for(user, case)
                 if not (step.key == "extension" and pending is not None)]  # one at a time
        ctx = {
            "case": case, "version": version, "case_type": version.case_type,
            "events": events, "photos": photos, "clock": clock,
            "steps": steps, "state_colour": STATE_COLOURS.get(case.state, "#9ca3af"),
            "map_config": {"point": map_point(case.lon, case.lat),
                           "colour": STATE_COLOURS.get(case.state, "#9ca3af"),
                           **basemap_settings()},
            "is_desk": permissions.is_desk(user), "basemap_url": basemap_url(user),
        }
        step_keys = {step.key for step, _ in steps}
        if {"dispatch", "reassign"} & step_keys:
            proposal = propose_for_case(case)
            ctx["proposal"] = proposal
            ctx["proposal_unit"] = (Unit.objects.filter(pk=proposal.unit_id).first()
                                    if proposal.unit_id else None)
        if "duplicate" in step_keys:
            ctx["nearby"] = nearby_open(Case.objects.visible_to(user).exclude(pk=case.pk),
                                        case_type=version.case_type, lon=case.lon, lat=case.lat)
        if pending is not None:
            ctx["pending_extension"] = pending
            if permissions.is_desk(user):
                ctx["decide_form"] = DecideExtensionForm()
        ctx["extensions"] = case.extension_requests.exclude(
            status=ExtensionStatus.PENDING).select_related("requested_by", "decided_by")
        return render(request, self.template_name, ctx)

    @staticmethod
    def _initial(step, case):
        if step.key == "dispatch":
            proposal = propose_for_case(case)
            return {"unit": proposal.unit_id} if proposal.unit_id else None
        return None


class CaseStepView(View):
    """POST one step of a case; refusals (wrong state, missing reason, bad photo, another
    desk was quicker) come back as a message on the page, never as an error page."""

    def post(self, request, pk, step):
        user = request.user
        case = get_case(user, pk)
        found = STEP_BY_KEY.get(step)
        if found is None:
            raise Http404("未知的办理环节。")
        detail = reverse("cases:detail", args=[case.pk])
        back = safe_next(request, detail)
        if not found.who(user, case):
            messages.error(request, f"您无权办理“{found.label}”。")
            return redirect(back)
        if not found.when(case.state):
            messages.error(request, f"案件处于“{case.get_state_display()}”，不能{found.label}。")
            return redirect(back)
        form = form_for(found, user, data=request.POST, files=request.FILES)
        if not form.is_valid():
            messages.error(request, f"{found.label}未办理：{errors_text(form)}")
            return redirect(back)
        try:
            said = found.run(case, user, form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, f"{found.label}未办理：{text or '无权办理'}")
            return redirect(back)
        messages.success(request, f"案件{case.number or case.pk}：{said}")
        if back == detail and not Case.objects.visible_to(user).filter(pk=case.pk).exists():
            back = home_of(user)  # 回退 takes the case out of the unit's sight
        return redirect(back)


class ExtensionDecisionView(View):
    """批准/不予批准 a unit's 延期 (the desk)."""

    def post(self, request, pk):
        user = request.user
        extension = get_for_user(ExtensionRequest, user, pk)
        back = safe_next(request, reverse("cases:detail", args=[extension.case_id]))
        form = DecideExtensionForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"延期审批未办理：{errors_text(form)}")
            return redirect(back)
        approve = form.cleaned_data["approve"]
        try:
            actions.do_decide_extension(extension, acting_user=user, approve=approve,
                                        note=form.cleaned_data.get("note") or "")
        except (ValidationError, PermissionDenied) as exc:
            text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, f"延期审批未办理：{text or '无权办理'}")
            return redirect(back)
        messages.success(request, "已批准延期，处置期限相应顺延。" if approve else "已不予延期。")
        return redirect(back)


@file_view
def photo_file(request, pk):
    """A case photo, only for those who may see its case (CasePhoto.objects.visible_to)."""
    photo = get_for_user(CasePhoto, request.user, pk)
    return serve_file(request, photo.file, obj=photo, filename=photo.original_name,
                      content_type=photo.mime_type, inline=True)


@file_view
def photo_thumbnail(request, pk):
    photo = get_for_user(CasePhoto, request.user, pk)
    if not photo.thumbnail:  # stored before thumbnails existed: the photo itself
        return serve_file(request, photo.file, obj=photo, filename=photo.original_name,
                          content_type=photo.mime_type, inline=True)
    stem = photo.original_name.rsplit(".", 1)[0]
    return serve_file(request, photo.thumbnail, obj=photo, filename=f"{stem}_缩略图.jpg",
                      content_type="image/jpeg", inline=True, variant="thumbnail")
