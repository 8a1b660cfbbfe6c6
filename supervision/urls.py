from django.urls import path

from core.views import HistoryView
from org.roles import Cap
from supervision import views
from supervision.models import ActionItem

app_name = "supervision"
urlpatterns = [
    path("meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("items/", views.ActionItemListView.as_view(), name="item_list"),
    path("items/<int:pk>/", views.ActionItemDetailView.as_view(), name="item_detail"),
    path("items/<int:pk>/history/",
         HistoryView.as_view(model=ActionItem, required_cap=Cap.VIEW_PROJECTS),
         name="item_history"),
    path("items/<int:pk>/<str:step>/", views.ActionItemStepView.as_view(), name="item_step"),
]
