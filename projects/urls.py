from django.urls import path

from core.views import HistoryView
from org.roles import Cap
from projects import views, views_files, views_leader, views_ledger, views_matrix, views_review
from projects.models import Project

app_name = "projects"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("export.xlsx", views_ledger.ExportView.as_view(), name="export"),
    path("import/", views_ledger.ImportView.as_view(), name="import"),
    path("due/", views.DueView.as_view(), name="due"),
    path("review/", views_review.ReviewQueueView.as_view(), name="review"),
    path("review/batch-accept/", views_review.BatchAcceptView.as_view(), name="review_batch_accept"),
    path("matrix/", views_matrix.MatrixView.as_view(), name="matrix"),
    path("matrix/remind/<int:unit_pk>/", views_matrix.MatrixRemindView.as_view(),
         name="matrix_remind"),
    path("mine/", views_leader.MyAssignmentsView.as_view(), name="my_assignments"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/history/",
         HistoryView.as_view(model=Project, required_cap=Cap.VIEW_PROJECTS),
         name="project_history"),
    path("<int:pk>/report/", views.ReportCreateView.as_view(), name="report_create"),
    path("<int:pk>/location-from/<int:attachment_pk>/", views.LocationFromPhotoView.as_view(),
         name="location_from_photo"),
    path("<int:pk>/stage/", views.StageChangeView.as_view(), name="stage_change"),
    path("<int:pk>/measures/", views_leader.MeasuresView.as_view(), name="measures"),
    path("<int:pk>/schedule/", views_ledger.ScheduleView.as_view(), name="schedule"),
    path("<int:pk>/attachments/", views.AttachmentUploadView.as_view(), name="attachment_upload"),
    path("files/<int:pk>/", views_files.attachment_file, name="attachment_file"),
    path("files/<int:pk>/thumbnail/", views_files.attachment_thumbnail,
         name="attachment_thumbnail"),
    path("procedures/<int:pk>/documents/", views_files.ProcedureDocumentUploadView.as_view(),
         name="procedure_document_upload"),
    path("procedures/<int:pk>/claim/", views_files.ProcedureClaimView.as_view(),
         name="procedure_claim"),
    path("procedures/<int:pk>/<str:decision>/", views_files.ProcedureDecisionView.as_view(),
         name="procedure_decision"),
    path("reports/<int:pk>/", views_review.ReportDetailView.as_view(), name="report_detail"),
    path("reports/<int:pk>/filed/", views.ReportFiledView.as_view(), name="report_filed"),
    path("reports/<int:pk>/<str:decision>/", views_review.ReportDecisionView.as_view(),
         name="report_decision"),
    path("milestones/<int:pk>/rebaseline/", views.RebaselineRequestView.as_view(),
         name="rebaseline_request"),
    path("rebaselines/<int:pk>/<str:decision>/", views_review.RebaselineDecisionView.as_view(),
         name="rebaseline_decision"),
]
