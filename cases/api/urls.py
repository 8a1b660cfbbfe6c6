from rest_framework.routers import DefaultRouter

from cases.api import views

router = DefaultRouter()
router.register("cases", views.CaseViewSet, basename="cases-case")
router.register("types", views.CaseTypeViewSet, basename="cases-type")
router.register("grids", views.GridViewSet, basename="cases-grid")
router.register("segments", views.SegmentViewSet, basename="cases-segment")
router.register("components", views.ComponentViewSet, basename="cases-component")
urlpatterns = router.urls
