"""Outbound HTTP to an address a user typed (the group robots notify sends to), without SSRF.

A URL is sent to only when (1) its origin is on the allow-list (settings
ROBOT_WEBHOOK_HOSTS: a bare host name means https on port 443; an entry such as
"http://10.1.2.3:8080" allows exactly that origin), (2) every address its host
resolves to is public — loopback, private, link-local, multicast, reserved and
unspecified addresses are refused, also when hidden inside IPv6 (IPv4-mapped, 6to4,
NAT64) — unless it lies in a network of settings ROBOT_WEBHOOK_ALLOW_PRIVATE (an
operator's explicit choice, e.g. a government-intranet robot gateway; empty by
default), and (3) the connection goes to the address that was checked, with the host
name kept for the Host header, TLS SNI and certificate check. So a name whose DNS
answer changes between the check and the connection (DNS rebinding) cannot reach
another address. Redirects are never followed and proxies from the environment are
never used: either would send the request somewhere that was not checked.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

DEFAULT_ROBOT_HOSTS = ("qyapi.weixin.qq.com", "oapi.dingtalk.com")  # 企业微信, 钉钉
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_RESPONSE_BYTES = 64 * 1024  # a robot answers {"errcode":0,...}; never read more
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedURL(ValueError):
    """The URL or the address it resolves to is not allowed (message in Chinese)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as sent in the request line


def _origin(scheme: str, host: str, port: int | None) -> tuple[str, str, int]:
    return scheme, host.lower().rstrip("."), port or DEFAULT_PORTS[scheme]


def allowed_origins() -> set[tuple[str, str, int]]:
    """The allow-list as (scheme, host, port) triples."""
    origins = set()
    for entry in getattr(settings, "ROBOT_WEBHOOK_HOSTS", DEFAULT_ROBOT_HOSTS):
        parts = urlsplit(entry if "://" in entry else f"https://{entry}")
        origins.add(_origin(parts.scheme, parts.hostname or "", parts.port))
    return origins


def robot_host_hint() -> str:
    """The allowed hosts, for a form's help text."""
    return "、".join(sorted({host for _, host, _ in allowed_origins()}))


def check_url(url: str) -> Target:
    """The parts of `url` if its origin is allowed; else RefusedURL with the reason."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise RefusedURL("机器人地址格式不正确。") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise RefusedURL("机器人地址须以 https:// 开头。")
    if parts.username is not None or parts.password is not None:
        raise RefusedURL("机器人地址不能包含用户名或密码。")
    if _origin(parts.scheme, parts.hostname, port) not in allowed_origins():
        raise RefusedURL(f"只允许企业微信或钉钉群机器人地址（{robot_host_hint()}，https）。")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme], path)


def _embedded(ip) -> list:
    """`ip` and any IPv4 address an IPv6 address carries (mapped, 6to4, NAT64)."""
    found = [ip]
    if ip.version == 6:
        found += [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
        if ip in NAT64:
            found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def _public(ip) -> bool:
    return ip.is_global and not (ip.is_multicast or ip.is_loopback or ip.is_link_local
                                 or ip.is_private or ip.is_reserved or ip.is_unspecified)


def _explicitly_allowed(ip) -> bool:
    networks = getattr(settings, "ROBOT_WEBHOOK_ALLOW_PRIVATE", ()) or ()
    return any(ip in ipaddress.ip_network(n) for n in networks)


def address_allowed(address: str) -> bool:
    """May we connect to this resolved address?"""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if _explicitly_allowed(ip):
        return True
    return all(_public(a) for a in _embedded(ip))


def resolve(target: Target) -> list[str]:
    """Every address of the target's host; RefusedURL if any of them is not allowed
    (one bad answer among good ones is a rebinding attempt, not a reason to pick)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:  # perhaps passing: an OSError, so the sender retries
        raise OSError(f"无法解析机器人地址的域名“{target.host}”：{exc}") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    refused = [a for a in addresses if not address_allowed(a)]
    if refused or not addresses:
        raise RefusedURL(f"机器人地址指向内网或保留地址（{'、'.join(refused)}），已拒绝。")
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to `address`; the Host header still names the host."""

    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to `address`; SNI and the certificate check use the host name."""

    def __init__(self, host, address, port, timeout, context):
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _tls_context() -> ssl.SSLContext:
    # A CA file for an intranet robot gateway (and the tests' own certificate authority).
    cafile = getattr(settings, "ROBOT_WEBHOOK_CA_FILE", None)
    return ssl.create_default_context(cafile=cafile)


def _connection(target: Target, address: str, timeout: float):
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target.host, address, target.port, timeout,
                                      _tls_context())
    return _PinnedHTTPConnection(target.host, address, target.port, timeout)


def _connect(target: Target, timeout: float):
    """An open connection to the first checked address that answers."""
    error = None
    for address in resolve(target):
        conn = _connection(target, address, timeout)
        try:
            conn.connect()
            return conn
        except OSError as exc:
            conn.close()
            error = exc
    raise OSError(f"无法连接机器人地址：{error}")


def post(url: str, body: bytes, *, content_type: str, timeout: float) -> tuple[int, bytes]:
    """POST `body` to `url` after the checks above; (status, at most 64 KB of the answer).

    RefusedURL for a URL or address that is not allowed; OSError for network failures.
    The request is sent once: only connecting falls back to the host's next address.
    """
    target = check_url(url)
    conn = _connect(target, timeout)
    try:
        conn.request("POST", target.path, body=body, headers={"Content-Type": content_type})
        response = conn.getresponse()
        return response.status, response.read(MAX_RESPONSE_BYTES)
    except http.client.HTTPException as exc:
        raise OSError(f"机器人地址的应答无法识别：{exc}") from None
    finally:
        conn.close()
