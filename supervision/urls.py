from django.urls import path

from core.views import HistoryView
from org.roles import Cap
from supervision import views
from supervision.models import ActionItem
from supervision.views import bulletins as bulletin_views
from supervision.views import meetings as meeting_views

app_name = "supervision"
urlpatterns = [
    path("meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<int:pk>/pack.docx", views.MeetingPackFileView.as_view(), name="pack_file"),
    path("meetings/<int:pk>/pack-draft.docx", meeting_views.MeetingPackDraftView.as_view(),
         name="pack_draft"),
    path("meetings/<int:pk>/minutes.docx", meeting_views.MinutesFileView.as_view(),
         name="minutes_file"),
    path("meetings/<int:pk>/minutes/<str:step>/", meeting_views.MinutesStepView.as_view(),
         name="minutes_step"),
    path("meetings/<int:pk>/pack/<str:step>/", views.MeetingPackStepView.as_view(),
         name="pack_step"),
    path("meetings/<int:pk>/<str:step>/", views.MeetingChangeView.as_view(),
         name="meeting_change"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("messages/", views.MessagesView.as_view(), name="messages"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("items/", views.ActionItemListView.as_view(), name="item_list"),
    path("items/<int:pk>/", views.ActionItemDetailView.as_view(), name="item_detail"),
    path("items/<int:pk>/history/",
         HistoryView.as_view(model=ActionItem, required_cap=Cap.VIEW_PROJECTS),
         name="item_history"),
    path("items/<int:pk>/<str:step>/", views.ActionItemStepView.as_view(), name="item_step"),
    path("items/<int:pk>/files/<int:file_pk>/", views.item_file, name="item_file"),
    path("instructions/project/<int:pk>/", views.items.InstructionView.as_view(),
         name="issue_instruction"),
    path("bulletins/", views.BulletinListView.as_view(), name="bulletin_list"),
    path("bulletins/<int:pk>/", views.BulletinDetailView.as_view(), name="bulletin_detail"),
    path("bulletins/<int:pk>/history/", views.BulletinHistoryView.as_view(),
         name="bulletin_history"),
    path("bulletins/<int:pk>/confirm/", bulletin_views.BulletinConfirmView.as_view(),
         name="bulletin_confirm"),
    path("bulletins/<int:pk>/preview.pdf", bulletin_views.BulletinPreviewView.as_view(),
         name="bulletin_preview"),
    path("bulletins/<int:pk>/file.<str:kind>", views.BulletinFileView.as_view(),
         name="bulletin_file"),
    path("bulletins/<int:pk>/<str:step>/", views.BulletinStepView.as_view(),
         name="bulletin_step"),
    path("escalations/", views.EscalationListView.as_view(), name="escalation_list"),
    path("escalations/propose/", views.EscalationProposeView.as_view(),
         name="escalation_propose"),
    path("escalations/<int:pk>/<str:step>/", views.EscalationStepView.as_view(),
         name="escalation_step"),
    path("rectifications/<int:pk>/<str:step>/", views.RectificationView.as_view(),
         name="rectification_step"),
]
