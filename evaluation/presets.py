"""Two presets modelled on published local schemes."""

PRESETS = {
    "investment_led": {
        "name": "投资导向考评（投资60、形象进度30、报送10）",
        "items": [
            ("investment", 60, "ratio", {"cap": 1}),
            ("milestones", 30, "per_point", {"baseline": 100, "per_point": 1}),
            ("reports", 10, "ratio", {"cap": 1}),
        ],
        "bonus_cap": 5, "deduction_cap": 10,
    },
    "comprehensive": {
        "name": "综合考评（投资40、节点25、报送15、交办10、整改10）",
        "items": [
            ("investment", 40, "ratio", {"cap": 1}),
            ("milestones", 25, "ratio", {"cap": 1}),
            ("reports", 15, "per_point", {"baseline": 100, "per_point": 0.5}),
            ("action_items", 10, "ratio", {"cap": 1}),
            ("rectification", 10, "ratio", {"cap": 1}),
        ],
        "bonus_cap": 5, "deduction_cap": 10,
    },
}
