"""企业微信 and 钉钉 group robots: message formats, 企业微信's size limit, 钉钉 加签, sending.

Pure functions except `post`, which goes through core.net (allow-list, public address,
pinned connection), so a robot URL typed by a user cannot reach anything else.
"""

import base64
import hashlib
import hmac
import json
from urllib.parse import urlencode

from core import net
from notify.choices import Channel

# 企业微信 documents markdown.content as at most 4,096 bytes of UTF-8.
WECOM_MAX_BYTES = 4096
CONTINUED = "（续）\n"
TIMEOUT_SECONDS = 10


def _cut_line(line: str, budget: int) -> list[str]:
    """`line` in pieces of at most `budget` UTF-8 bytes, never inside a character."""
    pieces = []
    while len(line.encode()) > budget:
        data = line.encode()
        cut = budget
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a continuation byte: step back
            cut -= 1
        head = data[:cut].decode()
        pieces.append(head)
        line = line[len(head):]
    pieces.append(line)
    return pieces


def split_utf8(text: str, limit: int) -> list[str]:
    """`text` in parts of at most `limit` UTF-8 bytes, cut at line ends where possible;
    every part after the first starts with 「（续）」 (counted in the limit)."""
    if len(text.encode()) <= limit:
        return [text]
    budget = limit - len(CONTINUED.encode())
    parts, current, size = [], [], 0
    for line in text.split("\n"):
        for piece in _cut_line(line, budget):
            extra = len(piece.encode()) + (1 if current else 0)  # 1 for the joining \n
            if current and size + extra > budget:
                parts.append("\n".join(current))
                current, size, extra = [], 0, len(piece.encode())
            current.append(piece)
            size += extra
    parts.append("\n".join(current))
    return [parts[0]] + [CONTINUED + part for part in parts[1:]]


def robot_messages(kind: str, title: str, markdown: str) -> list[dict]:
    """The markdown messages that carry `markdown` to a robot of `kind` (several for a
    企业微信 text over 4,096 bytes)."""
    if kind == Channel.WECOM:
        return [{"msgtype": "markdown", "markdown": {"content": part}}
                for part in split_utf8(markdown, WECOM_MAX_BYTES)]
    return [{"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}]


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: Base64(HmacSHA256(key=secret, "timestamp\\nsecret")), UTF-8 throughout."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """`url` with `timestamp` and `sign` added as query parameters (the sign URL-encoded),
    as 钉钉 expects; the timestamp must be within an hour of 钉钉's clock."""
    query = urlencode({"timestamp": timestamp_ms, "sign": dingtalk_sign(secret, timestamp_ms)})
    return f"{url}{'&' if '?' in url else '?'}{query}"


def post(url: str, payload: dict) -> None:
    """Send one message; RuntimeError/OSError to retry, core.net.RefusedURL never to."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    status, answer = net.post(url, data, content_type="application/json",
                              timeout=TIMEOUT_SECONDS)
    if 300 <= status < 400:  # a redirect could point anywhere: never followed
        raise RuntimeError(f"机器人地址返回重定向（HTTP {status}），未跟随。")
    if not 200 <= status < 300:
        raise RuntimeError(f"机器人地址返回 HTTP {status}。")
    try:
        body = json.loads(answer or b"{}")
    except ValueError:
        raise RuntimeError("机器人应答格式不正确。") from None
    if not isinstance(body, dict):
        raise RuntimeError("机器人应答格式不正确。")
    if body.get("errcode", 0) != 0:  # both robots answer {"errcode": 0, ...} on success
        raise RuntimeError(f"机器人返回错误：{body.get('errmsg', body)}")
