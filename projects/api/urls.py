from rest_framework.routers import DefaultRouter

from projects.api import views

router = DefaultRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("reports", views.ReportViewSet, basename="report")
router.register("rebaselines", views.RebaselineViewSet, basename="rebaseline")
urlpatterns = router.urls
