from django.urls import path

from maps import layer_views, views

app_name = "maps"
urlpatterns = [
    path("", views.BattleMapView.as_view(), name="battle_map"),
    path("data/projects.geojson", views.ProjectDataView.as_view(), name="project_data"),
    path("data/districts.geojson", views.DistrictDataView.as_view(), name="district_data"),
    path("data/basemap.geojson", views.BasemapDataView.as_view(), name="basemap_data"),
    path("data/layers/<int:pk>.geojson", views.LayerDataView.as_view(), name="layer_data"),
    path("projects/<int:pk>/card/", views.ProjectCardView.as_view(), name="project_card"),
    path("projects/<int:pk>/conformity/", views.ConformityRunView.as_view(),
         name="conformity_run"),
    path("layers/", layer_views.LayerListView.as_view(), name="layer_list"),
    path("layers/choose/", layer_views.LayerChooseView.as_view(), name="layer_choose"),
    path("timeline/", views.TimelineView.as_view(), name="timeline"),
    path("timeline/<int:pk>/", views.TimelineView.as_view(), name="project_timeline"),
    path("cockpit/", views.CockpitView.as_view(), name="cockpit"),
    path("screen/", views.CockpitView.as_view(screen=True), name="screen"),
]
