from django.urls import path

from evaluation import views, views_schemes

app_name = "evaluation"
urlpatterns = [
    path("", views.EvaluationListView.as_view(), name="evaluation_list"),
    path("<int:pk>/", views.EvaluationDetailView.as_view(), name="evaluation_detail"),
    path("<int:pk>/export.xlsx", views.EvaluationExportView.as_view(), name="evaluation_export"),
    path("scores/<int:pk>/", views.ScoreDetailView.as_view(), name="score_detail"),
    path("schemes/", views_schemes.SchemeListView.as_view(), name="scheme_list"),
    path("schemes/<int:pk>/", views_schemes.SchemeDetailView.as_view(), name="scheme_detail"),
    path("versions/<int:pk>/", views_schemes.VersionDetailView.as_view(), name="version_detail"),
    path("versions/<int:pk>/<str:step>/", views_schemes.VersionStepView.as_view(),
         name="version_step"),
]
