"""core.net: which robot URLs and which resolved addresses may be reached."""

from django.test import SimpleTestCase, override_settings

from core.net import RefusedURL, address_allowed, check_url


class AddressTests(SimpleTestCase):
    REFUSED = ["127.0.0.1", "127.8.9.10", "::1", "0.0.0.0", "::", "10.1.2.3", "172.16.0.9",
               "192.168.1.1", "169.254.169.254", "fe80::1%eth0", "fc00::1", "100.64.0.1",
               "224.0.0.1", "ff02::1", "240.0.0.1", "255.255.255.255", "198.18.0.1",
               "::ffff:127.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::1",
               "64:ff9b::a9fe:a9fe", "::127.0.0.1"]
    PUBLIC = ["1.2.3.4", "101.226.0.1", "2400:da00::1"]

    def test_private_and_special_addresses_are_refused(self):
        for address in self.REFUSED:
            with self.subTest(address=address):
                self.assertFalse(address_allowed(address))

    def test_public_addresses_pass(self):
        for address in self.PUBLIC:
            with self.subTest(address=address):
                self.assertTrue(address_allowed(address))

    @override_settings(ROBOT_WEBHOOK_ALLOW_PRIVATE=["10.20.0.0/16"])
    def test_an_explicitly_allowed_network_passes_and_only_it(self):
        self.assertTrue(address_allowed("10.20.3.4"))
        self.assertFalse(address_allowed("10.21.3.4"))
        self.assertFalse(address_allowed("127.0.0.1"))


class UrlTests(SimpleTestCase):
    def test_default_allow_list_is_the_two_robot_services_over_https(self):
        target = check_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
        self.assertEqual((target.host, target.port, target.path),
                         ("qyapi.weixin.qq.com", 443, "/cgi-bin/webhook/send?key=k"))
        self.assertEqual(check_url("https://OAPI.DingTalk.com./robot/send").port, 443)
        for url in ("http://oapi.dingtalk.com/robot/send", "ftp://oapi.dingtalk.com/x",
                    "https://oapi.dingtalk.com:444/x", "https://a.oapi.dingtalk.com/x",
                    "https://oapi.dingtalk.com@127.0.0.1/x", "https://[::1]/x", "javascript:1",
                    "https://oapi.dingtalk.com:99999/x", ""):
            with self.subTest(url=url), self.assertRaises(RefusedURL):
                check_url(url)

    @override_settings(ROBOT_WEBHOOK_HOSTS=["http://10.1.2.3:8080", "robot.gov.example"])
    def test_allow_list_entries_are_hosts_or_exact_origins(self):
        self.assertEqual(check_url("http://10.1.2.3:8080/send").port, 8080)
        self.assertEqual(check_url("https://robot.gov.example/send").host, "robot.gov.example")
        for url in ("https://10.1.2.3:8080/send", "http://10.1.2.3/send",
                    "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"):
            with self.subTest(url=url), self.assertRaises(RefusedURL):
                check_url(url)
