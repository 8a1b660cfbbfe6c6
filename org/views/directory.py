"""Unit, people and city-leader pages.

Pages that show people (names, masked or full phone numbers) are personal data: they
are sent with `Cache-Control: no-store` (never_cache), so no browser or proxy keeps them.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from core.history import masked_changes
from core.scope import get_for_user
from core.views import HistoryView, ScopedDetailView, ScopedListView
from org import actions, throttle
from org.filtersets import AccountFilterSet, CityLeaderFilterSet, PersonFilterSet, UnitFilterSet
from org.models import CityLeader, LeaderAssignment, Person, Unit, User, mask_phone
from org.roles import Cap

personal_data = method_decorator(never_cache, name="dispatch")


class UnitListView(ScopedListView):
    model = Unit
    required_cap = Cap.VIEW_ORG
    filterset_class = UnitFilterSet
    select_related = ("parent",)
    template_name = "org/unit_list.html"


@personal_data
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


@personal_data
class PersonListView(ScopedListView):
    model = Person
    required_cap = Cap.VIEW_ORG
    filterset_class = PersonFilterSet
    select_related = ("unit",)
    template_name = "org/person_list.html"


@personal_data
class PersonDetailView(ScopedDetailView):
    model = Person
    required_cap = Cap.VIEW_ORG
    template_name = "org/person_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["may_reveal"] = self.object.may_see_full_phone(self.request.user)
        return ctx


@personal_data
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


@personal_data
class PersonHistoryView(HistoryView):
    """A person's change history with phone numbers masked, as on the person page. An
    entitled user reveals them by posting a reason: the same rule and audit as
    RevealPhoneView (org.actions.do_reveal_phone)."""

    model = Person
    required_cap = Cap.VIEW_ORG
    template_name = "org/person_history.html"
    masks = {"phone": mask_phone}
    revealed = False

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        masks = {} if self.revealed else self.masks
        ctx["rows"] = [(change, masked_changes(change, masks)) for change in ctx["page_obj"]]
        ctx["revealed"] = self.revealed
        ctx["may_reveal"] = not self.revealed and self.object.may_see_full_phone(
            self.request.user)
        return ctx

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        actions.do_reveal_phone(self.object, user=request.user, request=request,
                                reason=request.POST.get("reason", ""), page="history")
        self.revealed = True
        return self.render_to_response(self.get_context_data(object=self.object))


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


@personal_data
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
        return render(request, self.template_name, {
            "attempts": attempts, "password_locks": throttle.locked_accounts()})

    def post(self, request):
        username = request.POST.get("username", "").strip()
        if username:
            actions.do_unlock_login(username, acting_user=request.user, request=request)
            messages.success(request, f"已解除账号“{username}”的登录锁定。")
        return redirect("org:lockouts")
