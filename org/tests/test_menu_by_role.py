"""The menu lists what a role's work uses: a unit reporter's is its filing and its projects."""

import pytest
from django.urls import reverse

from core.navigation import menu_for
from tests.cast import build_cast

pytestmark = pytest.mark.django_db


def entries(user) -> list[tuple[str, str]]:
    return [(group.label, item.label) for group in menu_for(user) for item in group.items]


def test_a_reporters_menu_is_its_work_and_nothing_of_the_command_hall():
    cast = build_cast()
    assert entries(cast.reporter_a) == [
        ("台账", "项目台账"), ("台账", "本周填报"), ("台账", "台账导入"),
        ("挂图作战", "作战地图"), ("挂图作战", "推进时序"),
        ("调度督查", "会议安排"), ("调度督查", "交办事项"), ("调度督查", "督查通报"),
        ("调度督查", "问责升级"), ("调度督查", "我的消息"), ("调度督查", "日历订阅"),
        ("考评", "阶段考评"), ("考评", "考评方案"),
        ("城市管理", "本单位案件"), ("城市管理", "绩效评价"),
        ("组织与计划", "计划"), ("组织与计划", "单位名录"), ("组织与计划", "人员"),
        ("系统管理", "我的账号"), ("系统管理", "修改密码"),
    ]


def test_every_entry_a_reporter_sees_opens(client):
    cast = build_cast()
    client.force_login(cast.reporter_a)
    for group in menu_for(cast.reporter_a):
        for item in group.items:
            assert client.get(reverse(item.url_name)).status_code == 200, item.label


@pytest.mark.parametrize("who, shown, hidden", [
    ("head_a", {"驾驶舱", "市级领导", "核心板块"}, {"大屏", "接口文档", "审核队列"}),
    ("city_leader", {"驾驶舱", "大屏", "市级领导"}, {"接口文档", "本周填报", "审核队列"}),
    ("supervision", {"驾驶舱", "大屏"}, {"接口文档", "本周填报"}),
    ("office_staff", {"驾驶舱", "大屏", "接口文档", "审核队列", "市级领导", "核心板块"},
     {"本周填报"}),
])
def test_other_roles_see_the_pages_their_work_uses(who, shown, hidden):
    cast = build_cast()
    labels = {label for _, label in entries(getattr(cast, who))}
    assert shown <= labels
    assert not hidden & labels


def test_a_page_left_off_the_menu_still_opens_for_a_role_that_may_read_it(client):
    cast = build_cast()
    client.force_login(cast.reporter_a)
    assert client.get(reverse("maps:cockpit")).status_code == 200
