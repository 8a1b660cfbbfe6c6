"""Colours of land-use classes, as Chinese planning maps draw them.

The palette follows the colours of GB 50137-2011 (城市用地分类与规划建设用地标准) and the
国土空间调查、规划、用途管制用地用海分类指南 (approximately: screens differ from print):
居住 yellow, 公共管理与公共服务 pink, 商业服务业 red, 工业/工矿 brown, 仓储 purple,
道路交通 grey, 公用设施 blue, 绿地 green, water light blue. A layer's 用地性质 is matched to a
class by keywords, so 二类居住用地 (R2) and 居住用地 (07) are both yellow; what matches no
class is grey and says so in the legend.
"""

UNKNOWN_COLOUR = "#9ca3af"
LEGEND_MAX = 20  # names in a legend; more are summed up in one line

# (class, colour, keywords): the first class whose keyword occurs in the name wins, so the
# more specific words come first (公用设施 before 公共, 交通 before 服务).
CLASSES = (
    ("居住用地", "#ffff2d", ("居住", "住宅")),
    ("商业服务业用地", "#ff0000", ("商业", "商务", "服务业", "娱乐康体")),
    ("工业用地", "#bb9674", ("工业", "工矿", "采矿")),
    ("物流仓储用地", "#8761d3", ("仓储", "物流")),
    ("道路与交通设施用地", "#adadad", ("道路", "交通", "街巷")),
    ("公用设施用地", "#0a6ebd", ("公用设施", "供水", "排水", "供电", "供燃气", "环卫")),
    ("公共管理与公共服务用地", "#ff85c9", ("公共管理", "公共服务", "行政办公", "机关团体",
                                         "教育", "医疗", "文化", "体育", "社会福利")),
    ("绿地与开敞空间用地", "#2eb82e", ("绿地", "广场", "开敞空间", "公园")),
    ("村庄建设用地", "#f5c07a", ("村庄", "农村宅基地")),
    ("陆地水域", "#73b2ff", ("水域", "河流", "湖泊", "水库", "坑塘", "沟渠")),
    ("农林用地", "#d7e9a6", ("农林", "耕地", "园地", "林地", "草地", "农用地", "农业", "农田")),
    ("特殊用地", "#5b7f6a", ("特殊", "军事", "宗教", "殡葬")),
)
_ORDER = {name: i for i, (name, _, _) in enumerate(CLASSES)}


def land_use_class(name: str) -> tuple[str, str] | None:
    """(class, colour) of a 用地性质 as written in a layer, or None when no class fits."""
    for cls, colour, words in CLASSES:
        if any(w in (name or "") for w in words):
            return cls, colour
    return None


def palette_and_legend(names) -> tuple[dict, list]:
    """For the 用地性质 values present in a layer: each value's colour, and the legend lines
    (value, colour) in the standard's order, unknown values last, at most LEGEND_MAX lines."""
    palette, known, unknown = {}, [], []
    for name in sorted({n for n in names if n}):
        found = land_use_class(name)
        if found:
            palette[name] = found[1]
            known.append((_ORDER[found[0]], name, found[1]))
        else:
            unknown.append(name)
    legend = [[name, colour] for _, name, colour in sorted(known)]
    legend += [[name, UNKNOWN_COLOUR] for name in unknown]
    if len(legend) > LEGEND_MAX:
        rest = len(legend) - LEGEND_MAX + 1
        legend = legend[:LEGEND_MAX - 1] + [[f"其他{rest}类", UNKNOWN_COLOUR]]
    return palette, legend
