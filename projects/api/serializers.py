from rest_framework import serializers

from core.api import serializers as core
from projects.models import (
    Milestone,
    ProgressReport,
    Project,
    RebaselineRequest,
    ReportProblem,
)


class StatusSerializer(serializers.Serializer):
    overall = serializers.CharField()
    milestones = serializers.CharField()
    investment = serializers.CharField()
    reporting = serializers.CharField()
    procedures = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField(), source="all_reasons")
    as_of = serializers.DateField()


class ProjectSerializer(core.ModelSerializer):
    lead_unit_name = serializers.CharField(source="lead_unit.name", read_only=True)
    leader_name = serializers.CharField(source="leader.person.name", read_only=True, default=None)
    category_name = serializers.CharField(source="category.name", read_only=True)
    year_planned = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                            allow_null=True, help_text="本年度计划投资（万元）")
    year_actual = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                           allow_null=True, help_text="本年度累计完成投资（万元）")
    progress_percent = serializers.IntegerField(read_only=True, allow_null=True)
    status = StatusSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Project
        fields = ["id", "code", "name", "plan", "category", "category_name", "task", "programme",
                  "core_district", "content", "total_investment", "year_planned", "year_actual",
                  "progress_percent", "start_date", "finish_date", "stage", "lead_unit",
                  "lead_unit_name", "cooperating_units", "leader", "leader_name", "special_team",
                  "problems", "geometry", "status"]


class MilestoneSerializer(core.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "project", "seq", "name", "baseline_date", "planned_date", "actual_date",
                  "weight"]


class ReportSerializer(core.ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = ["id", "project", "period_start", "period_end", "deadline", "status", "is_late",
                  "submitted_at", "investment_period", "investment_year_cumulative",
                  "progress_text", "progress_percent", "correction_note", "return_reason"]


class ReachedSerializer(serializers.Serializer):
    milestone = core.IdField(Milestone)
    date = core.DateField()


class ProblemInSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    coordinate_with = serializers.CharField(required=False, allow_blank=True, default="",
                                            max_length=core.max_length(ReportProblem,
                                                                       "coordinate_with"))


class ReportSubmitSerializer(serializers.Serializer):
    """Input of POST /api/projects/reports/: files the period's report through do_submit_report."""

    project = core.IdField(Project, as_url_id=True)
    period_start = core.DateField(required=False, help_text="默认为当前周期")
    investment_period = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    investment_year_cumulative = serializers.DecimalField(max_digits=14, decimal_places=2,
                                                          min_value=0, required=False)
    progress_text = serializers.CharField(allow_blank=True, default="", max_length=5000)
    progress_percent = serializers.IntegerField(min_value=0, max_value=100)
    milestones_reached = ReachedSerializer(many=True, required=False, default=list)
    problems = ProblemInSerializer(many=True, required=False, default=list)
    correction_note = serializers.CharField(
        required=False, allow_blank=True, default="",
        max_length=core.max_length(ProgressReport, "correction_note"))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=core.max_length(ProgressReport, "return_reason"))


class RebaselineSerializer(core.ModelSerializer):
    class Meta:
        model = RebaselineRequest
        fields = ["id", "milestone", "old_date", "new_date", "reason", "status", "decided_at",
                  "decision_note"]
        read_only_fields = ["old_date", "status", "decided_at", "decision_note"]


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="",
                                 max_length=core.max_length(RebaselineRequest, "decision_note"))


class ProcedureSerializer(core.ModelSerializer):
    class Meta:
        from projects.models import ProcedureItem

        model = ProcedureItem
        fields = ["id", "project", "kind", "status", "required_by", "done_on", "document_no"]


class AttachmentSerializer(core.ModelSerializer):
    """`file` and `thumbnail` are the scoped, audited download URLs (session or token)."""

    file = serializers.SerializerMethodField(help_text="下载地址（按权限范围校验并记录审计）")
    thumbnail = serializers.SerializerMethodField(help_text="缩略图地址（照片才有）")

    class Meta:
        from projects.models import Attachment

        model = Attachment
        fields = ["id", "project", "milestone", "report", "procedure", "kind", "original_name",
                  "mime_type", "size", "sha256", "gps_lon", "gps_lat", "file", "thumbnail",
                  "created_at"]

    def _absolute(self, url: str) -> str | None:
        if not url:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_file(self, obj) -> str | None:
        return self._absolute(obj.get_file_url())

    def get_thumbnail(self, obj) -> str | None:
        return self._absolute(obj.get_thumbnail_url())


class TransitionSerializer(core.ModelSerializer):
    class Meta:
        from projects.models import StatusTransition

        model = StatusTransition
        fields = ["id", "project", "dimension", "from_colour", "to_colour", "reasons", "at",
                  "as_of", "trigger"]
