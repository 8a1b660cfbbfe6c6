"""The city leader's weekly digest: colour changes and open items of their assignments,
told through notify (in-app, and e-mail / 企业微信 / 钉钉 robot per the leader's settings)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.dates import cn_month_day
from notify.service import notify
from org.choices import Role
from projects import periods
from projects.choices import ReportStatus
from projects.models import ProgressReport, Project, StatusTransition
from supervision.choices import ActionItemStatus
from supervision.models import ActionItem

LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "未开工", "blue": "已完工"}
EVENT = "supervision.digest"


def _colour_changes(user, since, today) -> list[tuple]:
    """(first colour, last colour, project, reasons) per project that changed this week."""
    changes = (StatusTransition.objects.filter(project__in=Project.objects.visible_to(user),
                                               dimension="overall", as_of__gt=since,
                                               as_of__lte=today)
               .exclude(from_colour="").select_related("project").order_by("project__code", "at"))
    last: dict[int, tuple] = {}
    for t in changes:
        first = last.get(t.project_id, (t.from_colour,))[0]
        last[t.project_id] = (first, t.to_colour, t.project, t.reasons)
    return list(last.values())


def _reports_not_on_time(user, first_day, today) -> list[tuple[str, int, int]]:
    """(unit, missing, late) for the reporting periods due in the digest's week, each plan by
    its own calendar (projects.periods) and counted as the meeting pack counts them, worst
    first."""
    counts: dict[str, list[int]] = {}
    for unit, status in (ProgressReport.objects
                         .filter(project__in=Project.objects.visible_to(user))
                         .filter(periods.reports_due_in(first_day, today))
                         .filter(Q(is_late=True) | Q(status=ReportStatus.MISSING))
                         .values_list("project__lead_unit__name", "status")):
        row = counts.setdefault(unit, [0, 0])
        row[0 if status == ReportStatus.MISSING else 1] += 1
    return sorted(((unit, m, late) for unit, (m, late) in counts.items()),
                  key=lambda r: (-r[1] - r[2], r[0]))


def digest_text(user, today) -> tuple[str, str]:
    """(title, markdown body) of a leader's week."""
    since = today - timedelta(days=7)
    changed = _colour_changes(user, since, today)
    items = (ActionItem.objects.visible_to(user).exclude(status=ActionItemStatus.CLOSED)
             .select_related("unit").order_by("deadline"))
    title = f"{settings.CITY_NAME}城建周报（{cn_month_day(since)}—{cn_month_day(today)}）"
    lines = [f"**亮灯变化**（{len(changed)}个项目）"]
    for old, new, project, reasons in changed[:20]:
        if old != new:
            lines.append(f"- {project.name}：{LABELS.get(old, old)} → {LABELS.get(new, new)}"
                         f"{'；' + reasons[0] if reasons else ''}")
    reports = _reports_not_on_time(user, since + timedelta(days=1), today)
    lines.append(f"**未按时报送进度**（{len(reports)}个单位）")
    for unit, missing, late in reports[:10]:
        parts = [f"未报{missing}份" if missing else "", f"迟报{late}份" if late else ""]
        lines.append(f"- {unit}：{'，'.join(p for p in parts if p)}")
    lines.append(f"**未办结交办事项**（{items.count()}项）")
    for item in items[:10]:
        overdue = "，已逾期" if item.deadline < today else ""
        lines.append(f"- {item.title}（{item.unit.name}，{cn_month_day(item.deadline)}前{overdue}）")
    return title, "\n".join(lines)


def queue_digests(today=None) -> int:
    """Each active city leader's digest, once per ISO week (a second run in the same week
    adds nothing); e-mail and robot deliveries are sent by `send_deliveries`."""
    from org.models import User

    today = today or timezone.localdate()
    year, week, _ = today.isocalendar()
    count = 0
    for user in User.objects.filter(role=Role.CITY_LEADER, is_active=True):
        title, text = digest_text(user, today)
        count += notify([user], event=EVENT, subject=title, text=text, link=reverse("home"),
                        obj=f"week:{year}-W{week:02d}")
    return count
