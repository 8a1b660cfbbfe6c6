"""The city leader's weekly digest: colour changes and open items of their assignments,
delivered in-app, by e-mail and to a 企业微信 or 钉钉 group robot; failures are retried."""

import json
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from core import net
from org.choices import Role
from projects.models import Project, StatusTransition
from supervision.choices import ActionItemStatus, Channel, DeliveryStatus
from supervision.models import ActionItem, Delivery, DigestSetting, Notification

LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", "grey": "未开工", "blue": "已完工"}
MAX_ATTEMPTS = 5
TIMEOUT_SECONDS = 10


def digest_text(user, today) -> tuple[str, str]:
    """(title, markdown body) of a leader's week."""
    since = today - timedelta(days=7)
    projects = Project.objects.visible_to(user)
    changes = (StatusTransition.objects.filter(project__in=projects, dimension="overall",
                                               as_of__gt=since, as_of__lte=today)
               .exclude(from_colour="").select_related("project").order_by("project__code", "at"))
    last: dict[int, tuple] = {}
    for t in changes:
        first = last.get(t.project_id, (t.from_colour,))[0]
        last[t.project_id] = (first, t.to_colour, t.project, t.reasons)
    items = (ActionItem.objects.visible_to(user).exclude(status=ActionItemStatus.CLOSED)
             .select_related("unit").order_by("deadline"))
    title = f"{settings.CITY_NAME}城建周报（{since:%-m月%-d日}—{today:%-m月%-d日}）"
    lines = [f"### {title}", f"**亮灯变化**（{len(last)}个项目）"]
    for old, new, project, reasons in list(last.values())[:20]:
        if old != new:
            lines.append(f"- {project.name}：{LABELS.get(old, old)} → {LABELS.get(new, new)}"
                         f"{'；' + reasons[0] if reasons else ''}")
    lines.append(f"**未办结交办事项**（{items.count()}项）")
    for item in items[:10]:
        overdue = "，已逾期" if item.deadline < today else ""
        lines.append(f"- {item.title}（{item.unit.name}，{item.deadline:%-m月%-d日}前{overdue}）")
    return title, "\n".join(lines)


def webhook_payload(kind: str, title: str, text: str) -> dict:
    """The group-robot formats of 企业微信 and 钉钉 (markdown messages)."""
    if kind == Channel.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def queue_digests(today=None) -> int:
    """In-app message now, plus e-mail/webhook deliveries queued for `send_deliveries`."""
    today = today or timezone.localdate()
    count = 0
    from org.models import User

    for user in User.objects.filter(role=Role.CITY_LEADER, is_active=True):
        title, text = digest_text(user, today)
        Notification.objects.create(user=user, title=title, body=text)
        setting = DigestSetting.objects.filter(user=user).first()
        if (setting is None or setting.email) and user.email:
            Delivery.objects.create(user=user, channel=Channel.EMAIL, target=user.email,
                                    subject=title, payload={"text": text})
        if setting and setting.webhook_url and setting.webhook_kind:
            Delivery.objects.create(user=user, channel=setting.webhook_kind,
                                    target=setting.webhook_url, subject=title,
                                    payload=webhook_payload(setting.webhook_kind, title, text))
        count += 1
    return count


def _post_to_robot(delivery):
    """POST the payload through core.net (allow-list, public address, pinned connection)."""
    data = json.dumps(delivery.payload, ensure_ascii=False).encode("utf-8")
    status, answer = net.post(delivery.target, data, content_type="application/json",
                              timeout=TIMEOUT_SECONDS)
    if 300 <= status < 400:  # a redirect could point anywhere: never followed
        raise RuntimeError(f"机器人地址返回重定向（HTTP {status}），未跟随。")
    if not 200 <= status < 300:
        raise RuntimeError(f"机器人地址返回 HTTP {status}。")
    body = json.loads(answer or b"{}")
    if not isinstance(body, dict):
        raise RuntimeError("机器人应答格式不正确。")
    if body.get("errcode", 0) != 0:  # both robots answer {"errcode": 0, ...} on success
        raise RuntimeError(f"机器人返回错误：{body.get('errmsg', body)}")


def _send(delivery):
    if delivery.channel == Channel.EMAIL:
        send_mail(delivery.subject, delivery.payload["text"], None, [delivery.target])
        return
    _post_to_robot(delivery)


def send_deliveries(now=None) -> tuple[int, int]:
    """Send what is due; a failure is recorded and retried after 2, 4, 8 … minutes."""
    now = now or timezone.now()
    sent = failed = 0
    due = Delivery.objects.filter(status__in=(DeliveryStatus.PENDING, DeliveryStatus.FAILED),
                                  attempts__lt=MAX_ATTEMPTS, next_attempt_at__lte=now)
    for delivery in due:
        delivery.attempts += 1
        try:
            _send(delivery)
        except net.RefusedURL as exc:
            # The address itself is refused: trying again would only be refused again.
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, str(exc)[:300]
            delivery.attempts = MAX_ATTEMPTS
            failed += 1
        except (OSError, RuntimeError, ValueError) as exc:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, str(exc)[:300]
            delivery.next_attempt_at = now + timedelta(minutes=2 ** delivery.attempts)
            failed += 1
        else:
            delivery.status, delivery.sent_at, delivery.last_error = DeliveryStatus.SENT, now, ""
            sent += 1
        delivery.save()
    return sent, failed
