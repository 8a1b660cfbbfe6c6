from django.urls import path

from core.views import HistoryView
from org.roles import Cap
from plans import views
from plans.models import CoreDistrict, Plan

app_name = "plans"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("<int:pk>/history/",
         HistoryView.as_view(model=Plan, required_cap=Cap.VIEW_PLANS), name="plan_history"),
    path("districts/", views.CoreDistrictListView.as_view(), name="district_list"),
    path("districts/<int:pk>/", views.CoreDistrictDetailView.as_view(), name="district_detail"),
    path("districts/<int:pk>/history/",
         HistoryView.as_view(model=CoreDistrict, required_cap=Cap.VIEW_PLANS),
         name="district_history"),
]
