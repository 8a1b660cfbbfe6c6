"""The taxonomy in the speech's own words, used to seed a new city's plans."""

def three_year_plan(start_year: int) -> dict:
    """The three-year plan's fields for a plan starting in `start_year` (the speech's was 2024)."""
    end_year = start_year + 2
    return {"name": f"高品质推进城市建设三年行动计划（{start_year}—{end_year}年）",
            "short_name": "三年行动计划", "start_year": start_year, "end_year": end_year}

# 三大类 (二(二)二: "共谋划了三大类X个项目")
CATEGORIES = [
    ("HX", "城市核心板块"),
    ("JC", "重大基础设施"),
    ("GF", "公共服务和生态绿化"),
]

# 五大建设任务 (二(三))
TASKS = [
    ("T1", "聚焦核心板块打造", "推动城市功能布局更加优化"),
    ("T2", "抓好基础设施和公共服务配套", "推动城市承载能力不断增强"),
    ("T3", "实施“三项工程、一项管理”", "推动城市内涵品质进一步提升"),
    ("T4", "注重生态环境治理", "推动美丽园林城市建设步伐全面加快"),
    ("T5", "坚持交通道路为先导", "推动城乡融合发展水平进一步提高"),
]

# 三项工程、一项管理
PROGRAMMES = [
    ("P1", "城市道路综合改造工程", "重点是“六纵六横”重点道路综合改造"),
    ("P2", "老旧小区综合改造工程", "“一征三议两公开”征求群众意见，分期分批推进"),
    ("P3", "城乡结合部综合改造工程", "“洗脸、换装、清肺”，年底前完成阶段总工作量的80%以上"),
    ("P4", "城市精细管理", "“路长制”市容市貌大提升，“常态管理＋专项整治”"),
]

def periurban_plan(start_year: int) -> dict:
    return {"name": "城乡结合部综合改造工作台账", "short_name": "城乡结合部综合改造",
            "start_year": start_year, "end_year": start_year + 2}

# 城乡结合部综合改造工程七个方面建设任务
PERIURBAN_TASKS = [
    ("C1", "公用基础设施建设"),
    ("C2", "交通秩序综合治理"),
    ("C3", "市容环境综合整治"),
    ("C4", "农村人居环境改善"),
    ("C5", "社区环境综合整治提升"),
    ("C6", "优化产业结构"),
    ("C7", "散乱污企业综合治理"),
]

# The 11 core districts of 二(三)一; the speech's X placeholders get fictional names.
CORE_DISTRICTS = [
    "市民服务中心",
    "东部商务新城",
    "南部文化古城",
    "北部产业新城",
    "城北片区",
    "城西片区",
    "云溪文化小镇",
    "青岭文旅小镇",
    "松泉康养小镇",
    "栖霞国际慢城",
    "古槐古镇",
]

STAGED_GOALS = ("一年打基础", "三年出形象", "五年成规模")
