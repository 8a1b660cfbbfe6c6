"""本单位案件: the handling unit's cases (only those dispatched to the user's own unit), with
their countdowns, overdue first, and the unit's steps (签收, 处置 with photos, 回退, 延期)."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from cases import permissions
from cases.choices import CaseState, ExtensionStatus, LimitUnit
from cases.forms import MAX_PHOTOS, UnitCaseFilterSet
from cases.models import Case, ExtensionRequest
from cases.views_common import AT_UNIT, RETURNED, attach_clocks

S = CaseState
PAGE_SIZE = 20
DONE = [S.HANDLED, S.CHECKING, S.CHECKED]
TABS = [
    ("todo", "待办", Q(state__in=AT_UNIT)),
    # 回退待审: the unit sent it back; it stays here, clock running, until the desk decides.
    ("returned", "回退待审", Q(state=RETURNED)),
    ("done", "已处置待核查", Q(state__in=DONE)),
    ("all", "全部", Q()),
]
OPEN_AT_UNIT = [*AT_UNIT, RETURNED, *DONE]


class UnitStaffRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.role in permissions.UNIT_STAFF_ROLES
                and user.unit_id):
            raise PermissionDenied("只有处置单位的工作人员可以访问该页面。")
        return super().dispatch(request, *args, **kwargs)


class UnitCasesView(UnitStaffRequiredMixin, View):
    template_name = "cases/unit/list.html"

    def get(self, request):
        user = request.user
        tab = request.GET.get("tab") or "todo"
        keys = [key for key, *_ in TABS]
        if tab not in keys:
            tab = "todo"
        # visible_to already keeps a unit to its own cases; said again here so that this
        # page can never list another unit's case whatever the scope rule becomes.
        base = Case.objects.visible_to(user).filter(handling_unit_id=user.unit_id)
        filterset = UnitCaseFilterSet(request.GET, queryset=base, request=request)
        cases = filterset.qs if filterset.is_valid() else base.none()
        # Overdue by the stored deadline, which the actions keep moved by 延期 and 挂账.
        # Only the open states are counted row by row (an index range of the unit's open
        # cases); 全部 is a plain count — a unit with 80,000 finished cases once made this
        # aggregate read every one of them for the overdue test (bench/cases_pages.py).
        counts = cases.filter(state__in=OPEN_AT_UNIT).aggregate(
            overdue=Count("pk", filter=Q(state__in=AT_UNIT, deadline_at__lt=timezone.now())),
            **{key: Count("pk", filter=cond) for key, _, cond in TABS if key != "all"})
        counts["all"] = cases.count()
        cond = dict((key, cond) for key, _, cond in TABS)[tab]
        rows = (cases.filter(cond).select_related("type_version__case_type", "grid")
                .order_by(F("deadline_at").asc(nulls_last=True), "-reported_at", "pk"))
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = attach_clocks(page.object_list)
        pending = set(ExtensionRequest.objects.filter(
            case__in=[c.pk for c in page.object_list], status=ExtensionStatus.PENDING)
            .values_list("case_id", flat=True))
        for case in page.object_list:
            case.extension_pending = case.pk in pending
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("tab", None)
        ctx = {"filterset": filterset, "tab": tab, "tabs": [(k, label, counts[k])
                                                            for k, label, _ in TABS],
               "query_without_tab": query.urlencode(), "page_obj": page,
               "rows": page.object_list, "overdue": counts["overdue"],
               "limit_units": LimitUnit.choices, "max_photos": MAX_PHOTOS,
               "row_offset": page.start_index() - 1 if page.paginator.count else 0}
        query["tab"] = tab
        ctx["query_without_page"] = query.urlencode()
        return render(request, self.template_name, ctx)
