"""Field (phone) pages: /cases/field/… (names in the "cases" namespace)."""

from django.urls import path

from cases import views_field as views

urlpatterns = [
    path("report/", views.ReportView.as_view(), name="report"),
    path("report/<int:pk>/done/", views.ReportDoneView.as_view(), name="report_done"),
    path("types.json", views.TypeListView.as_view(), name="field_types"),
    path("nearby.json", views.NearbyView.as_view(), name="field_nearby"),
    path("geo.json", views.FieldGeoView.as_view(), name="field_geo"),
    path("nearby/photos/<int:pk>/", views.nearby_photo, name="field_nearby_photo"),
    path("photos/<int:pk>/", views.case_photo, name="field_photo"),
    path("join/<int:pk>/", views.JoinView.as_view(), name="field_join"),
    path("my/", views.MyCasesView.as_view(), name="my"),
    path("check/<int:pk>/", views.CheckView.as_view(), name="field_check"),
    path("segments/", views.SegmentsView.as_view(), name="segments"),
    path("sign/<int:segment_id>/", views.SignView.as_view(), name="sign"),
]
