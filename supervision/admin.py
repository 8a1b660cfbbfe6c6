from django.contrib import admin

from core.admin import CapabilityAdmin
from supervision.models import EscalationRule


@admin.register(EscalationRule)
class EscalationRuleAdmin(CapabilityAdmin):
    """The escalation triggers are data: the bureau tunes thresholds and switches rules."""

    manage_cap = "supervise"
    list_display = ("name", "level", "threshold", "window_days", "enabled")
    list_editable = ("threshold", "window_days", "enabled")
    actions = []
