from core.views import ScopedDetailView, ScopedListView
from org.roles import Cap
from plans.filtersets import CoreDistrictFilterSet, PlanFilterSet
from plans.models import CoreDistrict, Plan
from plans.svg import polygon_svg


class PlanListView(ScopedListView):
    model = Plan
    required_cap = Cap.VIEW_PLANS
    filterset_class = PlanFilterSet
    select_related = ("lead_unit",)
    template_name = "plans/plan_list.html"


class PlanDetailView(ScopedDetailView):
    model = Plan
    required_cap = Cap.VIEW_PLANS
    template_name = "plans/plan_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan = self.object
        ctx["categories"] = plan.categories.active()
        ctx["tasks"] = plan.tasks.active()
        ctx["programmes"] = plan.programmes.active()
        ctx["districts"] = plan.core_districts.active()
        return ctx


class CoreDistrictListView(ScopedListView):
    model = CoreDistrict
    required_cap = Cap.VIEW_PLANS
    filterset_class = CoreDistrictFilterSet
    select_related = ("lead_unit", "plan")
    template_name = "plans/district_list.html"


class CoreDistrictDetailView(ScopedDetailView):
    model = CoreDistrict
    required_cap = Cap.VIEW_PLANS
    template_name = "plans/district_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["boundary_svg"] = polygon_svg(self.object.boundary)
        return ctx
