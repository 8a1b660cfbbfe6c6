from rest_framework import serializers

from core.api import serializers as core
from org.models import CityLeader, LeaderAssignment, Person, Unit, mask_phone


class UnitSerializer(core.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "kind", "kind_display", "parent", "admin_code",
                  "sort_order"]


class PersonSerializer(core.ModelSerializer):
    phone = serializers.SerializerMethodField(help_text="无权查看完整号码时为掩码（138****5678）")

    class Meta:
        model = Person
        fields = ["id", "name", "title", "unit", "phone"]

    def get_phone(self, person) -> str:
        # Lists never carry full numbers; the audited reveal endpoint does.
        return mask_phone(person.phone)


class CityLeaderSerializer(core.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = CityLeader
        fields = ["id", "name", "position", "person", "sort_order"]


class LeaderAssignmentSerializer(core.ModelSerializer):
    class Meta:
        model = LeaderAssignment
        fields = ["id", "leader", "unit", "kind", "note", "start_date"]
