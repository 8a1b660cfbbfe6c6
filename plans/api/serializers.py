from core.api import serializers as core
from plans.models import Category, CoreDistrict, Plan, Programme, Task


class _TaxonomySerializer(core.ModelSerializer):
    class Meta:
        fields = ["id", "code", "name", "description", "sort_order"]


class CategorySerializer(_TaxonomySerializer):
    class Meta(_TaxonomySerializer.Meta):
        model = Category


class TaskSerializer(_TaxonomySerializer):
    class Meta(_TaxonomySerializer.Meta):
        model = Task


class ProgrammeSerializer(_TaxonomySerializer):
    class Meta(_TaxonomySerializer.Meta):
        model = Programme


class PlanSerializer(core.ModelSerializer):
    categories = CategorySerializer(many=True, read_only=True)
    tasks = TaskSerializer(many=True, read_only=True)
    programmes = ProgrammeSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "name", "short_name", "kind", "start_year", "end_year", "status",
                  "approved_on", "description", "lead_unit", "categories", "tasks", "programmes"]


class CoreDistrictSerializer(core.ModelSerializer):
    class Meta:
        model = CoreDistrict
        fields = ["id", "name", "plan", "lead_unit", "area_km2", "boundary", "min_lon", "min_lat",
                  "max_lon", "max_lat", "goal_year1", "goal_year3", "goal_year5"]
