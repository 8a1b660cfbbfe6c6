from rest_framework.routers import DefaultRouter

from plans.api import views

router = DefaultRouter()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("districts", views.CoreDistrictViewSet, basename="district")
urlpatterns = router.urls
