"""Unit, people and city-leader pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views import View

from core.scope import get_for_user
from core.views import ScopedDetailView, ScopedListView
from org import actions
from org.filtersets import AccountFilterSet, CityLeaderFilterSet, PersonFilterSet, UnitFilterSet
from org.models import CityLeader, LeaderAssignment, Person, Unit, User
from org.roles import Cap


class UnitListView(ScopedListView):
    model = Unit
    required_cap = Cap.VIEW_ORG
    filterset_class = UnitFilterSet
    select_related = ("parent",)
    template_name = "org/unit_list.html"


class UnitDetailView(ScopedDetailView):
    model = Unit
    required_cap = Cap.VIEW_ORG
    template_name = "org/unit_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["people"] = Person.objects.visible_to(user).filter(unit=self.object)
        ctx["assignments"] = (LeaderAssignment.objects.visible_to(user)
                              .filter(unit=self.object).select_related("leader__person"))
        ctx["children"] = Unit.objects.visible_to(user).filter(parent=self.object)
        return ctx


class PersonListView(ScopedListView):
    model = Person
    required_cap = Cap.VIEW_ORG
    filterset_class = PersonFilterSet
    select_related = ("unit",)
    template_name = "org/person_list.html"


class PersonDetailView(ScopedDetailView):
    model = Person
    required_cap = Cap.VIEW_ORG
    template_name = "org/person_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_reveal"] = self.object.may_see_full_phone(self.request.user)
        return ctx


class RevealPhoneView(View):
    """POST with a reason: returns the full number once, and logs who saw it and why."""

    def post(self, request, pk):
        person = get_for_user(Person, request.user, pk)
        try:
            phone = actions.do_reveal_phone(person, user=request.user,
                                            reason=request.POST.get("reason", ""), request=request)
        except PermissionDenied as exc:
            if request.htmx:
                return render(request, "org/_phone_reveal.html",
                              {"error": str(exc), "person": person}, status=403)
            raise
        return render(request, "org/_phone_reveal.html", {"phone": phone, "person": person})


class CityLeaderListView(ScopedListView):
    model = CityLeader
    required_cap = Cap.VIEW_ORG
    filterset_class = CityLeaderFilterSet
    select_related = ("person",)
    template_name = "org/leader_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        visible = LeaderAssignment.objects.visible_to(self.request.user).select_related("unit")
        by_leader: dict[int, list] = {}
        for a in visible.filter(leader__in=ctx["object_list"]):
            by_leader.setdefault(a.leader_id, []).append(a.unit)
        for leader in ctx["object_list"]:
            leader.visible_units = by_leader.get(leader.pk, [])
        return ctx


class CityLeaderDetailView(ScopedDetailView):
    model = CityLeader
    required_cap = Cap.VIEW_ORG
    template_name = "org/leader_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["assignments"] = (LeaderAssignment.objects.visible_to(self.request.user)
                              .filter(leader=self.object).select_related("unit"))
        return ctx


class AccountListView(ScopedListView):
    model = User
    required_cap = Cap.VIEW_ACCOUNTS
    filterset_class = AccountFilterSet
    select_related = ("unit", "person")
    template_name = "org/account_list.html"


class LockoutView(View):
    """Security administrator: see locked-out logins and lift a lockout."""

    template_name = "org/lockouts.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_cap(Cap.ASSIGN_ROLES):
            raise PermissionDenied("仅安全管理员可管理登录锁定。")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        from axes.models import AccessAttempt

        attempts = AccessAttempt.objects.order_by("-attempt_time")[:200]
        return render(request, self.template_name, {"attempts": attempts})

    def post(self, request):
        username = request.POST.get("username", "").strip()
        if username:
            actions.do_unlock_login(username, acting_user=request.user, request=request)
            messages.success(request, f"已解除账号“{username}”的登录锁定。")
        return redirect("org:lockouts")
