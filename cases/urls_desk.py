"""The desk, unit and case pages (names in the "cases" namespace)."""

from django.urls import path

from cases import views_case, views_desk, views_unit

urlpatterns = [
    path("desk/", views_desk.DeskView.as_view(), name="desk"),
    path("unit/", views_unit.UnitCasesView.as_view(), name="unit"),
    path("map/", views_desk.CaseMapView.as_view(), name="map"),
    path("map/data.geojson", views_desk.CaseMapDataView.as_view(), name="map_data"),
    path("export.xlsx", views_desk.CaseExportView.as_view(), name="export"),
    path("<int:pk>/", views_case.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/step/<slug:step>/", views_case.CaseStepView.as_view(), name="step"),
    path("extensions/<int:pk>/decide/", views_case.ExtensionDecisionView.as_view(),
         name="extension_decide"),
    path("photos/<int:pk>/", views_case.photo_file, name="photo"),
    path("photos/<int:pk>/thumbnail/", views_case.photo_thumbnail, name="photo_thumbnail"),
]
