"""REST endpoints of supervision (the same actions and the same filters as the pages)."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from core.api import serializers as core
from core.api.views import ScopedReadOnlyViewSet
from org.roles import Cap
from supervision import actions
from supervision.filtersets import (
    ActionItemFilterSet,
    BulletinFilterSet,
    EscalationFilterSet,
    MeetingFilterSet,
)
from supervision.models import ActionItem, ActionItemEvent, Bulletin, EscalationStep, Meeting
from supervision.models.items import ResponseAttachment
from supervision.models.meetings import MeetingChange


class MeetingChangeSerializer(core.ModelSerializer):
    class Meta:
        model = MeetingChange
        fields = ["kind", "old_date", "old_start_time", "new_date", "new_start_time", "reason",
                  "by", "at"]


class MeetingSerializer(core.ModelSerializer):
    changes = MeetingChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "plan", "kind", "date", "start_time", "duration_minutes", "title",
                  "location", "status", "sequence", "changes"]


class MoveSerializer(serializers.Serializer):
    date = serializers.DateField(label="新日期")
    start_time = serializers.TimeField(label="新开始时间", required=False, allow_null=True,
                                       default=None)
    reason = serializers.CharField(label="改期原因", max_length=500)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(label="取消原因", max_length=500)


class ResponseAttachmentSerializer(core.ModelSerializer):
    url = serializers.SerializerMethodField(label="下载地址")

    class Meta:
        model = ResponseAttachment
        fields = ["id", "original_name", "mime_type", "size", "sha256", "url"]

    def get_url(self, obj) -> str:
        return reverse("supervision:item_file", args=[obj.item_id, obj.pk])


class EventSerializer(core.ModelSerializer):
    attachments = ResponseAttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ActionItemEvent
        fields = ["kind", "text", "by", "at", "attachments"]


class ActionItemSerializer(core.ModelSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta:
        model = ActionItem
        fields = ["id", "title", "detail", "unit", "deadline", "source", "meeting", "problem",
                  "project", "issued_by", "status", "closed_at", "events"]
        read_only_fields = ["source", "issued_by", "status", "closed_at", "project"]


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, default="", max_length=5000)


class ResponseSerializer(TextSerializer):
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                  label="附件", help_text="照片或PDF/Word/Excel（multipart）")


class MeetingViewSet(ScopedReadOnlyViewSet):
    """会议安排（每周调度、月度例会、季度现场推进会、半年考评）；改期与取消须说明原因。"""

    model = Meeting
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("changes")

    @extend_schema(request=MoveSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """改期（领导小组办公室）：新日期、可选的新开始时间和改期原因。"""
        meeting = self.get_object()
        data = MoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        actions.do_move_meeting(meeting, date=v["date"], start_time=v["start_time"],
                                reason=v["reason"], acting_user=request.user)
        return Response(MeetingSerializer(self.get_object()).data)

    @extend_schema(request=CancelSerializer, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """取消（领导小组办公室），须说明原因；会议仍在日程中，标为已取消。"""
        meeting = self.get_object()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_cancel_meeting(meeting, reason=data.validated_data["reason"],
                                  acting_user=request.user)
        return Response(MeetingSerializer(self.get_object()).data)


class ActionItemViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """交办事项：交办、反馈（可附文件）、办结、退回。"""

    model = ActionItem
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilterSet
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("events__attachments")

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
        return Response(ActionItemSerializer(self.get_object()).data)

    @extend_schema(request=ResponseSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        """承办单位反馈办理情况；附件以 multipart 的 files 字段上传，按内容校验。"""
        item = self.get_object()
        data = ResponseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        actions.do_respond(item, text=data.validated_data["text"],
                           files=data.validated_data["files"], acting_user=request.user)
        return Response(ActionItemSerializer(self.get_object()).data)

    @extend_schema(request=TextSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(request, actions.do_close, text=True)

    @extend_schema(request=TextSerializer, responses=ActionItemSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._step(request, actions.do_return, reason=True)


class BulletinSerializer(core.ModelSerializer):
    class Meta:
        model = Bulletin
        fields = ["id", "title", "period_start", "period_end", "status", "year", "number",
                  "issued_at", "rectification_deadline"]


class BulletinViewSet(ScopedReadOnlyViewSet):
    """督查通报（督查局可见草稿；其他用户可见已印发且与其相关的通报）。"""

    model = Bulletin
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = BulletinSerializer
    filterset_class = BulletinFilterSet


class EscalationSerializer(core.ModelSerializer):
    class Meta:
        model = EscalationStep
        fields = ["id", "unit", "level", "reason", "rule", "status", "decided_by", "decided_at",
                  "decision_note", "created_at"]


class EscalationViewSet(ScopedReadOnlyViewSet):
    """问责升级（提醒 → 督办函 → 通报 → 约谈 → 问责）：单位只看到对本单位已决定的措施。"""

    model = EscalationStep
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = EscalationSerializer
    filterset_class = EscalationFilterSet


router = DefaultRouter()
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("action-items", ActionItemViewSet, basename="action-item")
router.register("bulletins", BulletinViewSet, basename="bulletin")
router.register("escalations", EscalationViewSet, basename="escalation")
urlpatterns = router.urls
