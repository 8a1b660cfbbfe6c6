"""Navigation item of the performance (绩效评价) pages (registered when the app is ready)."""

from core.navigation import register


def _may_view(user) -> bool:
    from cases.views_performance import may_view

    return may_view(user)


register("城市管理", "绩效评价", "cases:performance", _may_view, order=50)
