"""Robot formats: 企业微信's 4,096-byte limit, 钉钉 加签."""

import base64
import hashlib
import hmac
import urllib.parse
from unittest import mock

from django.test import SimpleTestCase

from notify.robots import (
    CONTINUED,
    WECOM_MAX_BYTES,
    dingtalk_sign,
    robot_messages,
    signed_url,
    split_utf8,
)


def utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


class WecomSplitTests(SimpleTestCase):
    LINE = "- 甲路综合改造工程：黄灯 → 红灯；节点“主体完工”超期12天"  # 3 bytes per 汉字

    def test_a_short_message_is_one_message_unchanged(self):
        self.assertEqual(robot_messages("wecom", "周报", "### 周报\n- 一"),
                         [{"msgtype": "markdown", "markdown": {"content": "### 周报\n- 一"}}])

    def test_multibyte_text_is_split_at_lines_within_4096_bytes(self):
        lines = [f"{self.LINE}（第{i}条）" for i in range(100)]
        text = "\n".join(lines)
        self.assertLess(len(text), 4096)              # characters: a naive check would pass …
        self.assertGreater(utf8_len(text), 2 * 4096)  # … bytes: three messages are needed
        messages = robot_messages("wecom", "周报", text)
        parts = [m["markdown"]["content"] for m in messages]
        self.assertGreaterEqual(len(parts), 3)
        for part in parts:
            self.assertLessEqual(utf8_len(part), WECOM_MAX_BYTES)
        for part in parts[1:]:
            self.assertTrue(part.startswith(CONTINUED))
        # Cut at line ends only: every line arrives whole, in order, exactly once.
        received = [line for part in parts
                    for line in part.removeprefix(CONTINUED).split("\n")]
        self.assertEqual(received, lines)
        # Parts are filled: the next part's first line would not have fitted.
        for part, following in zip(parts, parts[1:], strict=False):
            first = following.removeprefix(CONTINUED).split("\n")[0]
            self.assertGreater(utf8_len(part.removeprefix(CONTINUED)) + 1 + utf8_len(first),
                               WECOM_MAX_BYTES - utf8_len(CONTINUED))

    def test_a_line_longer_than_the_limit_is_cut_between_characters(self):
        line = "城" * 3000 + "a" + "市" * 2000  # 15,001 bytes, no line break at all
        parts = split_utf8(line, WECOM_MAX_BYTES)
        for part in parts:
            self.assertLessEqual(utf8_len(part), WECOM_MAX_BYTES)
            part.encode("utf-8").decode("utf-8")  # whole characters only
        self.assertEqual("".join(p.removeprefix(CONTINUED) for p in parts), line)

    def test_exactly_4096_bytes_is_one_message(self):
        text = "城" * 1365 + "a"  # 4,096 bytes
        self.assertEqual(utf8_len(text), 4096)
        self.assertEqual(split_utf8(text, WECOM_MAX_BYTES), [text])
        self.assertEqual(len(split_utf8(text + "b", WECOM_MAX_BYTES)), 2)

    def test_dingtalk_keeps_title_and_text(self):
        self.assertEqual(robot_messages("dingtalk", "周报", "### 周报"),
                         [{"msgtype": "markdown", "markdown": {"title": "周报", "text": "### 周报"}}])


class DingtalkSignTests(SimpleTestCase):
    SECRET = "SECtest-secret-0123456789abcdef"
    TIMESTAMP = 1700000000000
    # Computed once from the documented algorithm (below) and written down, so a change to
    # the algorithm's code cannot change the expectation with it.
    KNOWN = "ZL1XNgly2R+az6ROehromsPh9b6xAR8RYvdp+rQNe5o="

    @staticmethod
    def documented(timestamp, secret) -> str:
        """钉钉's documented steps: "timestamp\\nsecret" signed with HmacSHA256 keyed by the
        secret (UTF-8), Base64, then URL-encoded."""
        string_to_sign = f"{timestamp}\n{secret}".encode()
        digest = hmac.new(secret.encode(), string_to_sign, digestmod=hashlib.sha256).digest()
        return urllib.parse.quote_plus(base64.b64encode(digest))

    def test_the_signature_matches_the_documented_algorithm_and_the_known_vector(self):
        self.assertEqual(dingtalk_sign(self.SECRET, self.TIMESTAMP), self.KNOWN)
        self.assertEqual(urllib.parse.quote_plus(dingtalk_sign(self.SECRET, self.TIMESTAMP)),
                         self.documented(self.TIMESTAMP, self.SECRET))

    def test_timestamp_and_sign_are_added_as_query_parameters(self):
        url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", self.SECRET,
                         self.TIMESTAMP)
        self.assertEqual(
            url, "https://oapi.dingtalk.com/robot/send?access_token=abc"
                 f"&timestamp={self.TIMESTAMP}&sign={self.documented(self.TIMESTAMP, self.SECRET)}")
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        self.assertEqual(query["sign"], [self.KNOWN])  # "+", "/" and "=" survive the trip
        self.assertEqual(query["access_token"], ["abc"])

    def test_a_url_without_query_gets_one(self):
        with mock.patch("notify.robots.dingtalk_sign", return_value="s"):
            self.assertEqual(signed_url("https://oapi.dingtalk.com/robot/send", "x", 1),
                             "https://oapi.dingtalk.com/robot/send?timestamp=1&sign=s")
