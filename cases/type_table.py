"""The demo's case-type table (部件/事件 大类·小类) as plain data.

Pure data, no database: the demo loader turns each row into a case type (and its first
version); the office edits types afterwards in the app, so nothing here is read at
runtime once a table has been loaded.

Sources (../shared/reference/city-management.md):
- major classes follow CJ/T 214 / GB/T 30428.2: 部件 01 公用设施 … 06 其他设施, 事件 01 市容环境 …
  05 街面秩序, with 06 其他事件 in place of the mini-program's "21 扩展事件";
- 事件 01 市容环境 minors 01–06 and their limits are the §1.3 example table (私搭乱建 停工
  4 工作时, 暴露垃圾 4 工作时, 道路保洁 2 工作时 …); where §1.5's list numbers the same minors
  differently (03 积存垃圾渣土, 04 道路不洁, 05 水域不洁), §1.3 wins because it carries the
  standards, and §1.5's remaining minors keep their own numbers (07–10, 12–17; the demo
  leaves out 11 河堤破损 and 18 私自饲养家禽家畜), 水域不洁 moving to 19;
- 部件 01 01 上水井盖 is the code seen in a real 标识码 (320508 01 01 000001); other 部件 minor
  numbers are this demo's own, in the same two-digit style, with 99 其他 in every major class.
Where the reference is silent, standards and limits are those a city centre typically
publishes: 工作时 for nuisance and safety problems, 工作日 for repairs that need a crew or
materials, the 紧急 limit always shorter than the 一般 one.

Row keys (the interface agreed in notes/cases_plan.md):
  kind "component" (部件) | "event" (事件); major_code, major_name; minor_code, minor_name;
  group "clean" (洁化) | "order" (序化) | "green" (绿化) | "light" (亮化);
  register_standard (立案标准); close_standard (结案标准);
  limits {"normal": (amount, "hour"|"day"), "urgent": (amount, "hour"|"day")};
  duplicate_radius_m; owner_first (True for 部件: 先属主后属地; False for 事件: 先属地后属主).
"""

HOUR = "hour"  # 工作时
DAY = "day"  # 工作日

COMPONENT_MAJORS = {
    "01": "公用设施",
    "02": "道路交通",
    "03": "市容环境",
    "04": "园林绿化",
    "05": "房屋土地",
    "06": "其他设施",
}
EVENT_MAJORS = {
    "01": "市容环境",
    "02": "宣传广告",
    "03": "施工管理",
    "04": "突发事件",
    "05": "街面秩序",
    "06": "其他事件",
}


def _row(kind, majors, major, minor, name, group, register, close, normal, urgent, radius):
    return {
        "kind": kind,
        "major_code": major,
        "major_name": majors[major],
        "minor_code": minor,
        "minor_name": name,
        "group": group,
        "register_standard": register,
        "close_standard": close,
        "limits": {"normal": normal, "urgent": urgent},
        "duplicate_radius_m": radius,
        # 部件 go to the facility's owner first; 事件 to the locality first.
        "owner_first": kind == "component",
    }


def _component(major, minor, name, group, register, close, normal, urgent, radius=10):
    return _row("component", COMPONENT_MAJORS, major, minor, name, group, register, close, normal, urgent,
                radius)


def _event(major, minor, name, group, register, close, normal, urgent, radius=50):
    return _row("event", EVENT_MAJORS, major, minor, name, group, register, close, normal, urgent, radius)


# Shared wording for the manhole covers (one row per owner, because the owner routes the case).
_COVER_REGISTER = "井盖缺失、破损、松动、移位，或与路面高差超过2厘米；井盖缺失、位于机动车道的按紧急案件派遣"
_COVER_CLOSE = "井盖补齐或更换，安放平稳无响动，与周边路面高差不超过1厘米；缺失期间已设置警示围挡"

COMPONENTS = [
    # 01 公用设施
    _component("01", "01", "上水井盖", "order", _COVER_REGISTER, _COVER_CLOSE, (1, DAY), (2, HOUR)),
    _component("01", "02", "污水井盖", "order", _COVER_REGISTER, _COVER_CLOSE, (1, DAY), (2, HOUR)),
    _component("01", "03", "雨水井盖", "order", _COVER_REGISTER, _COVER_CLOSE, (1, DAY), (2, HOUR)),
    _component("01", "04", "雨水箅子", "order",
               "雨水箅子缺失、破损、移位，或被垃圾、泥沙堵塞影响排水",
               "箅子补齐或更换并安放平稳，进水口清掏通畅", (1, DAY), (2, HOUR)),
    _component("01", "05", "电力井盖", "order", _COVER_REGISTER, _COVER_CLOSE, (1, DAY), (2, HOUR)),
    _component("01", "06", "通信井盖", "order", _COVER_REGISTER, _COVER_CLOSE, (1, DAY), (2, HOUR)),
    _component("01", "07", "燃气井盖", "order", _COVER_REGISTER, _COVER_CLOSE, (1, DAY), (2, HOUR)),
    _component("01", "08", "消火栓", "order",
               "消火栓缺失、破损、漏水、倾斜，或被车辆、杂物圈占遮挡",
               "消火栓修复或更换，无漏水，周边无圈占遮挡", (2, DAY), (4, HOUR)),
    _component("01", "09", "路灯不亮", "light",
               "主次干道、背街小巷路灯在亮灯时段内不亮、闪烁或白天常亮；连续3盏及以上不亮按紧急案件派遣",
               "路灯在亮灯时段内正常点亮，开关灯时间符合规定", (2, DAY), (1, DAY), radius=15),
    _component("01", "10", "路灯损坏", "light",
               "路灯灯杆倾斜、锈蚀、基座松动，灯具、灯罩破损脱落，或检修门缺失、电线外露",
               "灯杆扶正加固，灯具、灯罩、检修门修复齐全，无电线外露", (3, DAY), (4, HOUR), radius=15),
    _component("01", "99", "其他公用设施", "order",
               "报刊亭、配电箱、通信交接箱等公用设施破损、缺失或存在安全隐患",
               "设施修复、更换或依法拆除，消除安全隐患", (5, DAY), (1, DAY), radius=15),
    # 02 道路交通
    _component("02", "01", "交通标志牌", "order",
               "交通标志牌缺失、破损、倾斜、遮挡或内容错误",
               "标志牌修复或更换，安装牢固，内容正确清晰无遮挡", (3, DAY), (4, HOUR)),
    _component("02", "02", "护栏", "order",
               "道路隔离护栏、人行道护栏缺失、破损、倾倒或严重污损",
               "护栏补齐修复，安装牢固，线形顺直，表面整洁", (3, DAY), (4, HOUR), radius=20),
    _component("02", "03", "公交站亭", "order",
               "公交站亭、站牌破损、倾斜、玻璃碎裂，或顶棚、座椅缺失",
               "站亭、站牌修复，无碎裂玻璃和尖锐部件，整洁完好", (3, DAY), (4, HOUR), radius=20),
    _component("02", "04", "盲道", "order",
               "盲道砖缺失、破损、松动，或盲道被设施阻断、走向错误",
               "盲道砖补齐更换，铺设平整，走向连续无阻断", (5, DAY), (1, DAY), radius=20),
    _component("02", "05", "非机动车停放架", "order",
               "非机动车停放架缺失、破损、变形或松动",
               "停放架修复或更换，安装牢固，可正常使用", (5, DAY), (1, DAY), radius=20),
    _component("02", "99", "其他道路交通设施", "order",
               "隔离墩、减速带、过街天桥、地下通道等交通设施破损、缺失或存在安全隐患",
               "设施修复或更换，恢复正常使用，消除安全隐患", (5, DAY), (1, DAY)),
    # 03 市容环境
    _component("03", "01", "公共厕所", "clean",
               "公共厕所设施损坏、无水无电、门锁失灵，或开放时间内未开放",
               "设施修复，正常开放使用", (1, DAY), (4, HOUR), radius=20),
    _component("03", "02", "垃圾箱", "clean",
               "果皮箱、垃圾箱缺失、破损、倾倒，或箱体严重污损",
               "垃圾箱补齐、修复或更换，摆放到位，箱体整洁", (1, DAY), (4, HOUR)),
    _component("03", "03", "垃圾收集点", "clean",
               "垃圾收集点、垃圾房设施破损，地面污水横流或分类标识缺失",
               "设施修复，标识齐全，地面冲洗干净无污水", (2, DAY), (4, HOUR), radius=20),
    _component("03", "04", "景观灯损坏", "light",
               "楼体、桥梁、广场景观灯在亮灯时段内不亮，或灯具、线路破损脱落",
               "景观灯修复并正常点亮，灯具、线路安装牢固无外露", (3, DAY), (1, DAY), radius=20),
    _component("03", "05", "户外广告设施", "order",
               "户外广告牌、灯箱、电子屏破损、倾斜、画面残缺，或存在坠落隐患",
               "设施修复或依法拆除，画面完整，消除坠落隐患", (3, DAY), (4, HOUR), radius=20),
    _component("03", "99", "其他市容环境设施", "clean",
               "其他市容环境设施破损、缺失或污损",
               "设施修复或更换，整洁完好", (5, DAY), (1, DAY), radius=20),
    # 04 园林绿化
    _component("04", "01", "古树名木", "green",
               "古树名木出现枯枝、病虫害、倾斜、树体损伤，或保护设施、标识牌损坏",
               "采取救护、支撑、修剪等措施，保护设施和标识牌修复完好", (3, DAY), (4, HOUR)),
    _component("04", "02", "行道树", "green",
               "行道树缺株、死树、倾斜、枯枝，或树冠遮挡路灯、交通标志",
               "补植、扶正或修剪到位，无枯枝，不遮挡路灯和标志", (5, DAY), (4, HOUR)),
    _component("04", "03", "绿地护栏", "green",
               "绿地护栏、树池箅子缺失、破损或松动",
               "护栏、箅子补齐修复，安装牢固", (5, DAY), (1, DAY), radius=20),
    _component("04", "04", "花坛花箱", "green",
               "花坛、花箱破损、移位，或花卉枯死、缺失",
               "花坛、花箱修复归位，花卉补植，长势良好", (5, DAY), (1, DAY)),
    _component("04", "05", "街头座椅", "green",
               "街头座椅缺失、破损、松动或严重污损",
               "座椅修复或更换，安装牢固，表面整洁", (5, DAY), (1, DAY)),
    _component("04", "99", "其他园林绿化设施", "green",
               "雕塑、景观小品、喷泉等园林设施破损、缺失或存在安全隐患",
               "设施修复，消除安全隐患", (5, DAY), (1, DAY), radius=20),
    # 05 房屋土地
    _component("05", "01", "人防工事", "order",
               "人防工事出入口、通风口破损、被占用或堆放杂物",
               "出入口、通风口修复，占用和杂物清除", (5, DAY), (1, DAY), radius=20),
    _component("05", "02", "宣传栏", "order",
               "宣传栏、公示栏破损、倾斜、玻璃碎裂或内容过期残缺",
               "宣传栏修复，内容更新完整", (5, DAY), (1, DAY)),
    _component("05", "99", "其他房屋土地设施", "order",
               "房屋外立面附属设施（雨篷、空调支架等）松动破损，存在坠落隐患",
               "附属设施加固、修复或拆除，消除坠落隐患", (3, DAY), (4, HOUR), radius=20),
    # 06 其他设施
    _component("06", "01", "水域护栏", "order",
               "河道、湖泊沿岸护栏缺失、破损或松动",
               "护栏补齐修复，安装牢固，缺失期间已设置警示", (3, DAY), (4, HOUR), radius=20),
    _component("06", "02", "健身器材", "order",
               "公共健身器材破损、松动、锈蚀或存在夹伤等安全隐患",
               "器材修复或更换，隐患消除前已停用并设置警示", (5, DAY), (4, HOUR)),
    _component("06", "99", "其他设施", "order",
               "其他公共设施破损、缺失或存在安全隐患",
               "设施修复或更换，消除安全隐患", (5, DAY), (1, DAY), radius=20),
]

EVENTS = [
    # 01 市容环境 (01–06 as in the §1.3 table; §1.5 numbers 07–17; 19–21 this demo's own)
    _event("01", "01", "私搭乱建", "order",
           "未取得建设工程规划许可证，或超出许可范围搭建建（构）筑物",
           "停工：4个工作时内责令停止施工；依法处罚：7个工作日内立案查处；彻底拆除：20个工作日内拆除并清运",
           (4, HOUR), (2, HOUR), radius=30),
    _event("01", "02", "暴露垃圾", "clean",
           "主次干道、广场、背街小巷等公共场所有暴露垃圾，或垃圾堆放超出收集容器",
           "垃圾彻底清理，地面无残留污渍", (4, HOUR), (2, HOUR)),
    _event("01", "03", "建筑垃圾、渣土", "clean",
           "公共场所随意倾倒、堆放建筑垃圾或渣土",
           "建筑垃圾4个工作时内清理干净；大体量渣土堆先行苫盖，2个工作日内清运完毕，并依法查处责任人",
           (4, HOUR), (2, HOUR)),
    _event("01", "04", "道路保洁", "clean",
           "早8:00后主次干道、人行道、广场等公共场所有明显垃圾、污物、污渍，或路面积水",
           "路面整洁，无垃圾污物；路面积水4个工作时内清除", (2, HOUR), (1, HOUR), radius=100),
    _event("01", "05", "绿地保洁", "clean",
           "绿地、树池、绿化带内有垃圾、杂物、白色污染",
           "垃圾杂物彻底清除，绿地整洁", (4, HOUR), (2, HOUR)),
    _event("01", "06", "绿地养护", "green",
           "绿地内植物死亡、缺株、黄土裸露，绿篱未修剪或花坛塌陷",
           "补植到位、修剪整齐、塌陷部位修复，无黄土裸露", (5, DAY), (2, DAY)),
    _event("01", "07", "废弃车辆", "order",
           "道路、小区周边长期停放无人使用的废弃机动车、非机动车",
           "车辆移走或由车主处置，原停放地清扫干净", (5, DAY), (2, DAY), radius=30),
    _event("01", "08", "废弃家具设施", "clean",
           "公共场所随意丢弃的沙发、床垫等大件家具或废旧设施",
           "废弃家具设施清运完毕，地面清扫干净", (4, HOUR), (2, HOUR)),
    _event("01", "09", "非装饰性树挂", "clean",
           "树木上悬挂塑料袋、废旧条幅、衣物等杂物，或绑扎铁丝、绳索",
           "树挂杂物全部清除，树体无绑扎", (1, DAY), (4, HOUR), radius=30),
    _event("01", "10", "道路破损", "order",
           "车行道、人行道出现坑槽、裂缝、沉陷或道板松动缺失；坑槽影响行车安全的按紧急案件派遣",
           "路面修补平整，与原路面衔接顺平；修复前已设置警示围挡", (5, DAY), (4, HOUR), radius=30),
    _event("01", "12", "道路撒遗", "clean",
           "车辆运输过程中泥土、砂石、垃圾等撒落遗漏在道路上",
           "撒遗物清除，路面冲洗干净，依法查处撒漏车辆", (2, HOUR), (1, HOUR), radius=100),
    _event("01", "13", "建筑物外立面不洁", "clean",
           "沿街建筑物外立面、门头明显污损、乱涂乱画或悬挂杂物",
           "外立面清洗或粉刷，无污损涂画和杂物", (5, DAY), (2, DAY), radius=30),
    _event("01", "14", "水域秩序问题", "order",
           "在河道、湖泊内违规捕捞、游泳、设置网箱或圈占水面",
           "违规行为制止，设施拆除清理", (1, DAY), (4, HOUR), radius=100),
    _event("01", "15", "焚烧树叶、垃圾", "clean",
           "露天焚烧树叶、垃圾、秸秆等",
           "明火扑灭，焚烧残留物清理干净，依法查处", (2, HOUR), (1, HOUR)),
    _event("01", "16", "油烟污染", "clean",
           "沿街餐饮单位未安装油烟净化设施或设施不正常使用，油烟直排影响周边",
           "油烟净化设施安装并正常使用，依法查处", (5, DAY), (2, DAY), radius=30),
    _event("01", "17", "动物尸体清理", "clean",
           "道路、绿地、水面等公共场所有动物尸体",
           "动物尸体无害化清运，现场消毒清扫", (2, HOUR), (1, HOUR)),
    _event("01", "19", "水域不洁", "clean",
           "河道、湖泊水面有漂浮垃圾、油污、水草，或岸坡堆积垃圾",
           "水面及岸坡垃圾打捞清理干净", (1, DAY), (4, HOUR), radius=100),
    _event("01", "20", "亮化设施不亮", "light",
           "沿街门头、楼体亮化设施在规定亮灯时段内未开启或部分不亮",
           "亮化设施按规定时段完整开启", (1, DAY), (4, HOUR)),
    _event("01", "21", "沿街晾挂", "order",
           "在沿街护栏、树木、电杆、门店外晾晒衣物或悬挂物品",
           "晾挂物品清除，劝导到位", (4, HOUR), (2, HOUR), radius=30),
    _event("01", "99", "其他市容环境问题", "clean",
           "其他影响市容环境卫生的问题",
           "问题消除，现场整洁", (1, DAY), (4, HOUR)),
    # 02 宣传广告
    _event("02", "01", "非法小广告", "clean",
           "在建筑物、电杆、路面等处张贴、涂写、喷涂、刻画小广告",
           "小广告清除干净，墙面、杆体无残留印迹", (1, DAY), (4, HOUR), radius=30),
    _event("02", "02", "违规户外广告", "order",
           "未经审批或超出审批范围设置户外广告、招牌",
           "违规广告、招牌拆除或补办审批手续", (5, DAY), (2, DAY), radius=30),
    _event("02", "03", "街头散发广告", "order",
           "在街头、路口向行人、车辆散发宣传品",
           "散发行为制止，散落宣传品清理干净", (2, HOUR), (1, HOUR), radius=100),
    _event("02", "04", "占道广告牌", "order",
           "在人行道、车行道上摆放广告牌、指示牌、充气拱门等",
           "占道广告牌清除", (4, HOUR), (2, HOUR), radius=30),
    _event("02", "05", "门头招牌破损", "order",
           "门头招牌字体残缺、破损、亮灯不全，或存在松动坠落隐患；有坠落隐患的按紧急案件派遣",
           "招牌修复完整或依法拆除，消除坠落隐患", (2, DAY), (4, HOUR), radius=30),
    _event("02", "06", "违规悬挂横幅", "order",
           "未经批准在道路、建筑物、树木上悬挂横幅、条幅",
           "横幅、条幅拆除", (1, DAY), (4, HOUR), radius=30),
    _event("02", "99", "其他宣传广告问题", "order",
           "其他违规设置宣传品、广告的问题",
           "违规宣传品、广告清除", (1, DAY), (4, HOUR), radius=30),
    # 03 施工管理
    _event("03", "01", "施工扰民", "order",
           "在居民区附近夜间22:00至次日6:00未经批准施工，或施工噪声超标",
           "施工停止或办理夜间施工许可，依法查处", (4, HOUR), (1, HOUR), radius=100),
    _event("03", "02", "施工占道", "order",
           "未经批准或超出批准范围、期限占用道路施工",
           "恢复道路原状或补办手续并按批准范围围挡", (1, DAY), (4, HOUR), radius=100),
    _event("03", "03", "工地扬尘", "clean",
           "施工工地未围挡、未覆盖裸土、未冲洗车辆，扬尘明显",
           "围挡、覆盖、冲洗等防尘措施落实，无明显扬尘", (4, HOUR), (2, HOUR), radius=100),
    _event("03", "04", "施工废弃料", "clean",
           "施工结束后未清理的废弃料、渣土、设备堆放在公共场所",
           "废弃料清运完毕，场地恢复整洁", (1, DAY), (4, HOUR), radius=100),
    _event("03", "05", "无证掘路", "order",
           "未经许可擅自挖掘城市道路",
           "掘路停止，依法查处，路面恢复", (4, HOUR), (2, HOUR), radius=100),
    _event("03", "06", "渣土车辆未密闭", "clean",
           "渣土运输车辆未密闭、超载、带泥上路",
           "违规车辆依法查处，撒落物清理干净", (2, HOUR), (1, HOUR), radius=100),
    _event("03", "07", "施工围挡破损", "order",
           "施工围挡倒塌、破损、缺失或严重污损",
           "围挡修复完整、安装牢固、表面整洁", (1, DAY), (4, HOUR), radius=100),
    _event("03", "99", "其他施工管理问题", "order",
           "其他违反施工管理规定的问题",
           "问题整改到位，依法查处", (1, DAY), (4, HOUR), radius=100),
    # 04 突发事件
    _event("04", "01", "路面塌陷", "order",
           "道路、人行道出现塌陷、空洞",
           "现场已围挡警示，塌陷部位回填修复，路面平整", (2, HOUR), (1, HOUR), radius=50),
    _event("04", "02", "管道破裂", "order",
           "供水、排水、燃气、热力管道破裂，外溢或泄漏",
           "管道抢修完毕，外溢物清理，路面恢复", (2, HOUR), (1, HOUR), radius=100),
    _event("04", "03", "道路积水", "clean",
           "降雨后道路、下穿通道积水影响通行",
           "积水排除，道路恢复通行", (4, HOUR), (2, HOUR), radius=100),
    _event("04", "04", "道路积雪结冰", "clean",
           "降雪后主次干道、人行道、桥梁积雪结冰未清除",
           "积雪清除，冰面已撒布融雪剂或防滑材料", (4, HOUR), (2, HOUR), radius=100),
    _event("04", "05", "树木倒伏", "green",
           "树木倒伏、断枝坠落影响通行或安全",
           "倒伏树木、断枝清理，可救活的扶正加固", (2, HOUR), (1, HOUR), radius=30),
    _event("04", "06", "架空线缆脱落", "order",
           "电力、通信架空线缆脱落、低垂影响通行或安全",
           "线缆重新架设或拆除，消除安全隐患", (2, HOUR), (1, HOUR), radius=50),
    _event("04", "99", "其他突发事件", "order",
           "其他危及公共安全、需要立即处置的突发问题",
           "现场险情排除，恢复正常秩序", (2, HOUR), (1, HOUR), radius=100),
    # 05 街面秩序
    _event("05", "01", "无照经营游商", "order",
           "无照流动摊贩在道路、广场、学校和医院周边经营",
           "经营行为制止，摊点撤离", (2, HOUR), (1, HOUR), radius=50),
    _event("05", "02", "占道经营", "order",
           "在道路、人行道等公共场所摆摊设点经营",
           "摊点撤离，占用道路恢复畅通整洁", (2, HOUR), (1, HOUR), radius=50),
    _event("05", "03", "店外经营", "order",
           "临街商户超出门窗和外墙摆卖、作业或堆放物品",
           "物品收回店内，店外无摆卖作业", (2, HOUR), (1, HOUR), radius=30),
    _event("05", "04", "机动车乱停放", "order",
           "机动车在人行道、盲道、绿地或禁停区域停放",
           "车辆驶离或依法处理", (2, HOUR), (1, HOUR), radius=30),
    _event("05", "05", "非机动车乱停放", "order",
           "非机动车、共享单车在停放区外乱停乱放，影响通行",
           "车辆摆放整齐，通道畅通", (2, HOUR), (1, HOUR), radius=30),
    _event("05", "06", "乱堆物堆料", "order",
           "在道路、人行道、绿地等公共场所堆放物料、杂物",
           "堆放物料清除，场地整洁", (4, HOUR), (2, HOUR), radius=30),
    _event("05", "07", "露天烧烤", "clean",
           "在城市道路、广场等公共场所露天烧烤",
           "烧烤行为制止，现场清理干净", (2, HOUR), (1, HOUR), radius=50),
    _event("05", "08", "违规设置地桩地锁", "order",
           "在公共道路、公共停车区域私设地桩、地锁、隔离墩",
           "地桩、地锁等全部拆除，路面恢复平整", (1, DAY), (4, HOUR), radius=30),
    _event("05", "99", "其他街面秩序问题", "order",
           "其他影响街面秩序的问题",
           "问题消除，街面秩序恢复", (4, HOUR), (2, HOUR), radius=50),
    # 06 其他事件
    _event("06", "01", "社会生活噪声", "order",
           "商业经营活动使用高音喇叭、音响招揽顾客，或广场活动噪声扰民",
           "噪声源关闭或音量降至规定限值以下", (2, HOUR), (1, HOUR), radius=100),
    _event("06", "99", "其他事件", "order",
           "其他需要城市管理部门处置的问题",
           "问题处置完毕，现场恢复正常", (1, DAY), (4, HOUR), radius=50),
]

TYPE_TABLE: list[dict] = COMPONENTS + EVENTS
