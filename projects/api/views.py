from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.views import ScopedReadOnlyViewSet
from core.scope import get_for_user
from org.roles import Cap
from projects import actions
from projects.api import serializers as s
from projects.filtersets import ProjectFilterSet, ReportFilterSet
from projects.models import (
    Attachment,
    Milestone,
    ProcedureItem,
    ProgressReport,
    Project,
    RebaselineRequest,
    StatusTransition,
)
from projects.selectors import enrich


class ProjectViewSet(ScopedReadOnlyViewSet):
    """项目台账（与台账页面相同的筛选参数）。"""

    model = Project
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = s.ProjectSerializer
    filterset_class = ProjectFilterSet

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        # Filter and page on the bare table; join and annotate only the rows returned.
        return enrich(page, prefetch=["cooperating_units"]) if page is not None else None

    def get_object(self):
        return enrich([super().get_object()], prefetch=["cooperating_units"])[0]


class MilestoneViewSet(ScopedReadOnlyViewSet):
    """节点计划。"""

    model = Milestone
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = s.MilestoneSerializer
    filterset_fields = ["project"]


class ReportViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """进度填报：GET 查询；POST 提交本期进度（同一周期重复提交会被拒绝，不会产生重复记录）。"""

    model = ProgressReport
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = s.ReportSerializer
    filterset_class = ReportFilterSet

    @extend_schema(request=s.ReportSubmitSerializer, responses={201: s.ReportSerializer})
    def create(self, request, *args, **kwargs):
        # The context carries the user every id in the body is looked up for.
        data = s.ReportSubmitSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        v = data.validated_data
        project = get_for_user(Project, request.user, v["project"])
        reached = []
        for item in v["milestones_reached"]:
            milestone = project.milestones.active().filter(pk=item["milestone"]).first()
            if milestone is None:
                return Response({"milestones_reached": [f"节点{item['milestone']}不属于该项目。"]},
                                status=status.HTTP_400_BAD_REQUEST)
            reached.append((milestone, item["date"]))
        report = actions.do_submit_report(
            project, acting_user=request.user, period_start=v.get("period_start"),
            investment_period=v["investment_period"],
            investment_year_cumulative=v.get("investment_year_cumulative"),
            progress_text=v["progress_text"], progress_percent=v["progress_percent"],
            milestones_reached=reached,
            problems=[(p["description"], p["coordinate_with"]) for p in v["problems"]],
            correction_note=v["correction_note"])
        return Response(s.ReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReasonSerializer, responses=s.ReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        """办公室退回填报（须说明原因）。"""
        reason = s.ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        report = actions.do_return_report(self.get_object(), reason=reason.validated_data["reason"],
                                          acting_user=request.user)
        return Response(s.ReportSerializer(report).data)

    @extend_schema(request=None, responses=s.ReportSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """办公室审核通过。"""
        report = actions.do_accept_report(self.get_object(), acting_user=request.user)
        return Response(s.ReportSerializer(report).data)


class RebaselineViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """节点调整申请：责任单位申请，办公室批准或驳回。"""

    model = RebaselineRequest
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = s.RebaselineSerializer
    filterset_fields = ["status", "milestone"]

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)  # milestone: within the user's scope
        data.is_valid(raise_exception=True)
        req = actions.do_request_rebaseline(data.validated_data["milestone"],
                                            data.validated_data["new_date"],
                                            reason=data.validated_data["reason"],
                                            acting_user=request.user)
        return Response(s.RebaselineSerializer(req).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, approve):
        req = self.get_object()  # outside the scope: 404 before any other answer
        note = s.DecisionSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        if not request.user.has_cap(Cap.MANAGE_PROJECTS):
            raise PermissionDenied("只有领导小组办公室可以审批。")
        req = actions.do_decide_rebaseline(req, approve=approve,
                                           note=note.validated_data["note"],
                                           acting_user=request.user)
        return Response(s.RebaselineSerializer(req).data)

    @extend_schema(request=s.DecisionSerializer, responses=s.RebaselineSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(request=s.DecisionSerializer, responses=s.RebaselineSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)


class ProcedureViewSet(ScopedReadOnlyViewSet):
    """前期手续。"""

    model = ProcedureItem
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = s.ProcedureSerializer
    filterset_fields = ["project", "kind", "status"]


class AttachmentViewSet(ScopedReadOnlyViewSet):
    """照片与附件（已按内容校验）。"""

    model = Attachment
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = s.AttachmentSerializer
    filterset_fields = ["project", "milestone", "report", "procedure", "kind"]


class TransitionViewSet(ScopedReadOnlyViewSet):
    """亮灯变化记录（每次颜色变化一行）。"""

    model = StatusTransition
    required_cap = Cap.VIEW_PROJECTS
    serializer_class = s.TransitionSerializer
    filterset_fields = ["project", "dimension", "to_colour", "trigger"]
