"""Two preset schemes modelled on published local schemes, as starting points for offices.

An office starts a scheme from a preset (or from nothing) and edits it; `preset_scheme`
gives the preset as a published scheme for the demo and the tests.
"""

from decimal import Decimal as D

from evaluation.choices import Fact, Formula

PRESETS = {
    "investment_led": {
        "name": "投资导向考评（投资60、形象进度30、报送10）",
        "items": [
            (Fact.INVESTMENT, D(60), Formula.RATIO, {"cap": D(1)}),
            (Fact.MILESTONES, D(30), Formula.PER_POINT, {"baseline": D(100), "per_point": D(1)}),
            (Fact.REPORTS, D(10), Formula.RATIO, {"cap": D(1)}),
        ],
        "bonus_cap": D(5), "deduction_cap": D(10),
    },
    "comprehensive": {
        "name": "综合考评（投资40、节点25、报送15、交办10、整改10）",
        "items": [
            (Fact.INVESTMENT, D(40), Formula.RATIO, {"cap": D(1)}),
            (Fact.MILESTONES, D(25), Formula.RATIO, {"cap": D(1)}),
            (Fact.REPORTS, D(15), Formula.PER_POINT, {"baseline": D(100), "per_point": D("0.5")}),
            (Fact.ACTION_ITEMS, D(10), Formula.RATIO, {"cap": D(1)}),
            (Fact.RECTIFICATION, D(10), Formula.RATIO, {"cap": D(1)}),
        ],
        "bonus_cap": D(5), "deduction_cap": D(10),
    },
}


def preset_scheme(key: str, *, acting_user):
    """The scheme made from preset `key`, created and published (version 1) on first use."""
    from evaluation import actions
    from evaluation.models import Scheme

    scheme = Scheme.objects.active().filter(preset=key).first()
    if scheme is None:
        scheme = actions.do_create_scheme(name=PRESETS[key]["name"], preset=key,
                                          acting_user=acting_user)
        actions.do_publish_version(scheme.draft, acting_user=acting_user)
    return scheme
