"""/cases/performance/: 绩效评价 (names in the "cases" namespace)."""

from django.urls import path

from cases import views_performance as views

urlpatterns = [
    path("", views.RankingView.as_view(), name="performance"),
    path("export.xlsx", views.ExportView.as_view(), name="performance_export"),
    path("cases/", views.CasesBehindView.as_view(), name="performance_cases"),
    path("heatmap/", views.HeatmapView.as_view(), name="performance_heatmap"),
    path("weights/", views.WeightsView.as_view(), name="performance_weights"),
]
