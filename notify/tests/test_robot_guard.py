"""A group robot cannot be pointed at the server's own network (SSRF, issue 17 item 4).

Refused when the URL is saved (a Chinese form error) and again when a delivery is sent
(allow-list, every resolved address public, connection pinned to the checked address).
"""

import json
import socket
import ssl
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from unittest import mock

from django.test import TestCase

from core import net
from notify.models import Delivery, NotifySetting
from notify.queue import send_deliveries
from tests.base import CastTestCase

HOSTILE_URLS = [
    "http://127.0.0.1:8080/robot",
    "http://[::1]:8080/robot",
    "http://169.254.169.254/latest/meta-data/",
    "ftp://qyapi.weixin.qq.com/robot",
    "https://evil.example.com/cgi-bin/webhook/send?key=1",
    "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1",       # not https
    "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=1",  # another port
    "https://user:pw@oapi.dingtalk.com/robot/send?access_token=1",
    "https://qyapi.weixin.qq.com.evil.example/robot",
    "https://2130706433/robot",                                      # 127.0.0.1 as a number
]


class Robot(BaseHTTPRequestHandler):
    """A local robot that records what reaches it: nothing must, when refused."""

    received: list = []
    redirect_to = ""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Robot.received.append({"body": body, "host": self.headers["Host"], "path": self.path})
        if Robot.redirect_to:
            self.send_response(302)
            self.send_header("Location", Robot.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = b'{"errcode": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def start_robot(test, tls_context=None) -> int:
    server = HTTPServer(("127.0.0.1", 0), Robot)
    if tls_context is not None:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    test.addCleanup(server.server_close)
    test.addCleanup(server.shutdown)
    Robot.received, Robot.redirect_to = [], ""
    return server.server_port


def delivery_to(user, url) -> Delivery:
    """A queued robot delivery (as a row saved before the guard existed would be)."""
    return Delivery.objects.create(user=user, channel="dingtalk", target=url, subject="周报",
                                   payload={"msgtype": "markdown",
                                            "markdown": {"title": "周报", "text": "### 周报"}})


class SavingTheRobotUrlTests(CastTestCase):
    def post(self, url):
        self.client.force_login(self.cast.city_leader)
        return self.client.post("/messages/settings/",
                                {"webhook_kind": "dingtalk", "webhook_url": url}, follow=True)

    def test_hostile_urls_are_refused_with_a_chinese_reason(self):
        for url in HOSTILE_URLS:
            with self.subTest(url=url):
                response = self.post(url)
                self.assertFalse(NotifySetting.objects.exists())
                errors = [str(m) for m in response.context["messages"]]
                self.assertTrue(errors and any("机器人地址" in e or "网址" in e for e in errors),
                                errors)

    def test_the_real_robot_hosts_are_accepted(self):
        for url in ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
                    "https://oapi.dingtalk.com/robot/send?access_token=abc"):
            with self.subTest(url=url):
                self.post(url)
                self.assertEqual(NotifySetting.objects.get().webhook_url, url)

    def test_the_page_names_the_allowed_hosts(self):
        self.client.force_login(self.cast.city_leader)
        response = self.client.get("/messages/")
        self.assertContains(response, "qyapi.weixin.qq.com")
        self.assertContains(response, "oapi.dingtalk.com")


class SendingToARefusedAddressTests(CastTestCase):
    def setUp(self):
        self.port = start_robot(self)

    def assert_refused(self, delivery, reason):
        self.assertEqual(send_deliveries(), (0, 1))
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, "failed")
        self.assertIn(reason, delivery.last_error)
        self.assertEqual(delivery.attempts, 1)  # refused addresses are not retried
        self.assertEqual(Robot.received, [])
        self.assertEqual(send_deliveries(), (0, 0))

    def test_hostile_urls_saved_before_the_guard_are_refused_at_send_time(self):
        for url in HOSTILE_URLS + [f"http://127.0.0.1:{self.port}/robot"]:
            with self.subTest(url=url):
                Delivery.objects.all().delete()
                self.assert_refused(delivery_to(self.cast.city_leader, url), "机器人地址")

    def test_an_allowed_name_that_resolves_to_loopback_is_refused(self):
        url = f"http://localhost:{self.port}/robot"
        with self.settings(ROBOT_WEBHOOK_HOSTS=[f"http://localhost:{self.port}"]):
            self.assert_refused(delivery_to(self.cast.city_leader, url), "内网或保留地址")

    def test_a_private_address_is_reached_only_when_explicitly_allowed(self):
        url = f"http://127.0.0.1:{self.port}/robot"
        with self.settings(ROBOT_WEBHOOK_HOSTS=[f"http://127.0.0.1:{self.port}"],
                           ROBOT_WEBHOOK_ALLOW_PRIVATE=["10.0.0.0/8"]):
            self.assert_refused(delivery_to(self.cast.city_leader, url), "内网或保留地址")
        with self.settings(ROBOT_WEBHOOK_HOSTS=[f"http://127.0.0.1:{self.port}"],
                           ROBOT_WEBHOOK_ALLOW_PRIVATE=["127.0.0.1/32"]):
            Delivery.objects.all().delete()
            delivery = delivery_to(self.cast.city_leader, url)
            self.assertEqual(send_deliveries(), (1, 0))
        self.assertEqual(Robot.received[0]["host"], f"127.0.0.1:{self.port}")
        delivery.refresh_from_db()
        self.assertEqual(delivery.status, "sent")

    def test_a_redirect_is_not_followed(self):
        url = f"http://127.0.0.1:{self.port}/robot"
        Robot.redirect_to = f"http://127.0.0.1:{self.port}/elsewhere"
        with self.settings(ROBOT_WEBHOOK_HOSTS=[f"http://127.0.0.1:{self.port}"],
                           ROBOT_WEBHOOK_ALLOW_PRIVATE=["127.0.0.1/32"]):
            delivery = delivery_to(self.cast.city_leader, url)
            self.assertEqual(send_deliveries(), (0, 1))
        delivery.refresh_from_db()
        self.assertIn("重定向", delivery.last_error)
        self.assertEqual([r["path"] for r in Robot.received], ["/robot"])


class PinnedConnectionTests(TestCase):
    """The address checked is the address connected to (no DNS rebinding)."""

    def test_the_connection_goes_to_the_checked_address_whatever_dns_says_next(self):
        answers = iter([
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("1.2.3.4", 443))],    # the check
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 443))],  # a rebinding
        ])
        connected = []

        def fake_connect(address, timeout=None, *args):
            connected.append(address)  # never a real connection to a public address
            raise OSError("test: no network")

        with mock.patch("core.net.socket.getaddrinfo", side_effect=lambda *a, **k: next(answers)), \
                mock.patch("core.net.socket.create_connection", side_effect=fake_connect):
            with self.assertRaises(OSError):
                net.post("https://oapi.dingtalk.com/robot/send?access_token=1", b"{}",
                         content_type="application/json", timeout=1)
        self.assertEqual(connected, [("1.2.3.4", 443)])

    def test_one_private_answer_among_public_ones_refuses_the_name(self):
        answer = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("1.2.3.4", 443)),
                  (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::ffff:10.0.0.1", 443, 0, 0))]
        with mock.patch("core.net.socket.getaddrinfo", return_value=answer), \
                mock.patch("core.net.socket.create_connection") as connect:
            with self.assertRaisesRegex(net.RefusedURL, "10.0.0.1"):
                net.post("https://oapi.dingtalk.com/robot/send", b"{}",
                         content_type="application/json", timeout=1)
        connect.assert_not_called()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for "localhost" (openssl, as on every Debian machine)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


class TlsRobotTests(CastTestCase):
    """Over https the pinned connection still sends SNI and checks the certificate
    against the host name, as the real robots need."""

    def setUp(self):
        folder = Path(tempfile.mkdtemp(prefix="robot-tls-"))
        self.cert, key = make_certificate(folder)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, key)
        self.sni = []
        context.sni_callback = lambda sock, name, ctx: self.sni.append(name)
        self.port = start_robot(self, context)
        self.allow = {"ROBOT_WEBHOOK_HOSTS": [f"localhost:{self.port}"],
                      "ROBOT_WEBHOOK_ALLOW_PRIVATE": ["127.0.0.1/32", "::1/128"]}

    def test_https_robot_gets_the_digest_with_host_and_sni_of_the_name(self):
        with self.settings(ROBOT_WEBHOOK_CA_FILE=str(self.cert), **self.allow):
            delivery_to(self.cast.city_leader, f"https://localhost:{self.port}/robot?k=1")
            self.assertEqual(send_deliveries(), (1, 0))
        self.assertEqual(self.sni[-1], "localhost")
        self.assertEqual(Robot.received[0]["host"], f"localhost:{self.port}")
        self.assertEqual(Robot.received[0]["path"], "/robot?k=1")

    def test_an_untrusted_certificate_is_refused(self):
        with self.settings(**self.allow):  # the system's authorities do not know it
            delivery = delivery_to(self.cast.city_leader, f"https://localhost:{self.port}/r")
            self.assertEqual(send_deliveries(), (0, 1))
        delivery.refresh_from_db()
        self.assertIn("CERTIFICATE", delivery.last_error.upper())
        self.assertEqual(Robot.received, [])
