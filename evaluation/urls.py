from django.urls import path

from evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.SchemeListView.as_view(), name="scheme_list"),
    path("<int:pk>/", views.SchemeDetailView.as_view(), name="scheme_detail"),
    path("<int:pk>/export.xlsx", views.SchemeExportView.as_view(), name="scheme_export"),
    path("scores/<int:pk>/", views.ScoreDetailView.as_view(), name="score_detail"),
]
