from rest_framework.routers import DefaultRouter

from org.api import views

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("leaders", views.CityLeaderViewSet, basename="leader")
router.register("leader-assignments", views.LeaderAssignmentViewSet, basename="leader-assignment")
urlpatterns = router.urls
