"""REST endpoints for meetings and action items (the same actions as the pages)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api import serializers as core
from core.api.views import ScopedReadOnlyViewSet
from org.roles import Cap
from supervision import actions
from supervision.models import ActionItem, ActionItemEvent, Meeting


class MeetingSerializer(core.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "plan", "kind", "date", "start_time", "duration_minutes", "title",
                  "location"]


class EventSerializer(core.ModelSerializer):
    class Meta:
        model = ActionItemEvent
        fields = ["kind", "text", "by", "at"]


class ActionItemSerializer(core.ModelSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "title", "detail", "unit", "deadline", "source", "meeting", "problem",
                  "project", "issued_by", "status", "closed_at", "events"]
        read_only_fields = ["source", "issued_by", "status", "closed_at", "project"]


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, default="", max_length=5000)


class MeetingViewSet(ScopedReadOnlyViewSet):
    """会议安排（每周调度、月度例会、季度现场推进会、半年考评）。"""

    model = Meeting
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = MeetingSerializer
    filterset_fields = ["plan", "kind", "date"]


class ActionItemViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """交办事项：交办、反馈、办结、退回。"""

    model = ActionItem
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = ActionItemSerializer
    filterset_fields = ["status", "unit", "project", "source"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("events")

    def create(self, request, *args, **kwargs):
        # unit, meeting and problem are looked up in the user's scope (core.api.serializers).
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        item = actions.do_create_action_item(
            title=v["title"], detail=v.get("detail", ""), unit=v["unit"], deadline=v["deadline"],
            meeting=v.get("meeting"), problem=v.get("problem"), acting_user=request.user)
        return Response(ActionItemSerializer(item).data, status=status.HTTP_201_CREATED)

    def _step(self, request, fn, **kwargs):
        item = self.get_object()
        text = TextSerializer(data=request.data)
        text.is_valid(raise_exception=True)
        fn(item, acting_user=request.user, **{k: text.validated_data["text"] for k in kwargs})
        item.refresh_from_db()
        return Response(ActionItemSerializer(item).data)

    @extend_schema(request=TextSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        return self._step(request, actions.do_respond, text=True)

    @extend_schema(request=TextSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(request, actions.do_close, text=True)

    @extend_schema(request=TextSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._step(request, actions.do_return, reason=True)


router = DefaultRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("action-items", ActionItemViewSet, basename="action-item")
urlpatterns = router.urls
