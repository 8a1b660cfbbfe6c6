from django.urls import path

from core.views import HistoryView
from org.models import CityLeader, Unit
from org.roles import Cap
from org.views import account
from org.views import directory as views

app_name = "org"
urlpatterns = [
    path("units/", views.UnitListView.as_view(), name="unit_list"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    path("units/<int:pk>/history/",
         HistoryView.as_view(model=Unit, required_cap=Cap.VIEW_ORG), name="unit_history"),
    path("people/", views.PersonListView.as_view(), name="person_list"),
    path("people/<int:pk>/", views.PersonDetailView.as_view(), name="person_detail"),
    path("people/<int:pk>/reveal-phone/", views.RevealPhoneView.as_view(), name="person_reveal"),
    path("people/<int:pk>/history/", views.PersonHistoryView.as_view(), name="person_history"),
    path("leaders/", views.CityLeaderListView.as_view(), name="leader_list"),
    path("leaders/<int:pk>/", views.CityLeaderDetailView.as_view(), name="leader_detail"),
    path("leaders/<int:pk>/history/",
         HistoryView.as_view(model=CityLeader, required_cap=Cap.VIEW_ORG), name="leader_history"),
    path("accounts/", views.AccountListView.as_view(), name="account_list"),
    path("me/", account.AccountView.as_view(), name="account"),
    path("me/token/", account.TokenCreateView.as_view(), name="token_create"),
    path("me/token/revoke/", account.TokenRevokeView.as_view(), name="token_revoke"),
    path("lockouts/", views.LockoutView.as_view(), name="lockouts"),
]
