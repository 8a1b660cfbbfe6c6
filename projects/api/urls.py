from rest_framework.routers import DefaultRouter

from projects.api import views

router = DefaultRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("reports", views.ReportViewSet, basename="report")
router.register("rebaselines", views.RebaselineViewSet, basename="rebaseline")
router.register("procedures", views.ProcedureViewSet, basename="procedure")
router.register("attachments", views.AttachmentViewSet, basename="attachment")
router.register("transitions", views.TransitionViewSet, basename="transition")
urlpatterns = router.urls
