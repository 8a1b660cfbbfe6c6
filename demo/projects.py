"""Demo projects for 示范市: ~200 at city scale (5,000 at large) with a year of weekly
reports, realistic lateness and lag, so that every colour and every reason appears.

Bulk inserts (still recorded in the change history) keep the large scale fast;
colours are computed once at the end by the real engine.
"""

import math
import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from demo import names
from org.choices import UnitKind
from projects import actions, engine
from projects.choices import ProcedureKind, ProcedureStatus, ReportStatus, Stage
from projects.models import Milestone, ProcedureItem, ProgressReport, Project, ProjectYearPlan
from projects.status import schedule_to_date

HISTORY_WEEKS = 12
# Every TAIL_EVERY-th project is near its finish and far behind on investment: its year
# plan is concentrated in the few months it has left, so the lag behind 序时 shows even in
# January, when an evenly spread year plan has barely begun.
TAIL_EVERY = 23
PROJECT_COUNTS = {"small": 24, "city": 200, "large": 5000}
REPORT_WEEKS = {"small": 20, "city": 52, "large": 56}  # at least; see report_weeks()
# The large (benchmark) city reports every week of the window for every project that
# has started, so that it holds the 250,000 reports the benchmarks are specified on.
FULL_WINDOW = {"large"}

ROADS_NS = ["文峰路", "青屏大街", "嵩山路", "溱水路", "金凤路", "长乐路"]
ROADS_EW = ["东大街", "西大街", "新华路", "开阳路", "平安大道", "航空路"]

# (category code, task code, programme code or None, name template, lead unit keys, shape)
TEMPLATES = [
    ("HX", "T1", None, "{district}市政道路及管网配套工程", ["住建局", "城投集团"], "line"),
    ("HX", "T1", None, "{district}安置房建设项目（{n}期）", ["住保中心", "town"], "polygon"),
    ("HX", "T1", None, "{district}城市设计及景观提升工程", ["自规局", "园林中心"], "polygon"),
    ("HX", "T1", None, "{district}综合服务中心建设", ["住建局", "town"], "point"),
    ("JC", "T5", "P1", "{road}综合改造工程（{n}标段）", ["交通局", "住建局", "城投集团"], "line"),
    ("JC", "T2", None, "{road}西延工程", ["交通局"], "line"),
    ("JC", "T2", None, "{town}污水处理厂提标改造", ["水利局", "城管局"], "point"),
    ("JC", "T2", None, "城区供热管网改造工程（{n}期）", ["热力公司"], "line"),
    ("JC", "T2", None, "新区供水工程（{n}期）", ["供水公司"], "line"),
    ("JC", "T5", None, "{town}至城区快速通道", ["交通局"], "line"),
    ("GF", "T2", None, "{community}小学新建工程", ["教育局"], "point"),
    ("GF", "T2", None, "第{n}幼儿园建设项目", ["教育局"], "point"),
    ("GF", "T4", None, "{stem}公园游园建设", ["园林中心"], "polygon"),
    ("GF", "T4", None, "{town}生态廊道绿化工程", ["林业局", "园林中心"], "line"),
    ("GF", "T3", "P2", "{community}老旧小区综合改造", ["town"], "polygon"),
    ("GF", "T3", "P3", "{town}城乡结合部综合整治", ["town"], "polygon"),
    ("GF", "T2", None, "{stem}小型公共停车场建设", ["城管局"], "point"),
    ("GF", "T2", None, "公共充电桩建设（{n}批）", ["供电公司"], "point"),
    ("GF", "T2", None, "{stem}社区养老服务中心", ["民政局"], "point"),
    ("GF", "T2", None, "市中医院科研综合楼（{n}号楼）", ["卫健委"], "point"),
]

MILESTONE_SETS = {
    "line": ["完成初步设计批复", "完成施工招标", "开工建设", "管线迁改完成", "路基工程完成",
             "路面工程完成", "附属及绿化工程完成", "竣工验收"],
    "polygon": ["完成方案设计", "完成施工招标", "开工建设", "基础工程完成", "主体结构封顶",
                "室外配套完成", "竣工验收"],
    "point": ["完成可研批复", "完成施工图审查", "开工建设", "基础工程完成", "主体结构封顶",
              "装饰装修完成", "竣工验收", "交付使用"],
}
PROCEDURES = [ProcedureKind.APPROVAL, ProcedureKind.LAND_PREAPPROVAL, ProcedureKind.PLANNING_PERMIT,
              ProcedureKind.CONSTRUCTION_PERMIT, ProcedureKind.EIA, ProcedureKind.FUNDING]



PHASES = "二三四五六七八九十"


def unique_name(name: str, used: set[str]) -> str:
    """The name, or when an earlier project already has it the same name with a phase
    qualifier (（二期）, （三期）…): a ledger, a pack or a bulletin that names three projects
    「古槐古镇综合服务中心建设」 cannot be read. Deterministic (no draw from the generator), so
    a seed still builds the same city."""
    candidate, phase = name, 0
    while candidate in used:
        candidate = (f"{name}（{PHASES[phase]}期）" if phase < len(PHASES)
                     else f"{name}（{phase + 2}期）")
        phase += 1
    used.add(candidate)
    return candidate


def report_weeks(scale: str, today) -> int:
    """Weeks of reports to build: the scale's own, and at least back to the start of the
    previous half-year, so the demo's published half-year evaluation has reports to score."""
    previous_half = date(today.year, 1, 1) if today.month >= 7 else date(today.year - 1, 7, 1)
    return max(REPORT_WEEKS[scale], (today - previous_half).days // 7 + 1)


def build_projects(city, today: date | None = None):
    rng = random.Random(city.rng.random())
    today = today or timezone.localdate()
    plan = city.plan
    categories = {c.code: c for c in plan.categories.all()}
    tasks = {t.code: t for t in plan.tasks.all()}
    programmes = {p.code: p for p in plan.programmes.all()}
    districts = list(plan.core_districts.all())
    towns = [u for u in city.units.values() if u.kind == UnitKind.TOWN]
    communities = [u for u in city.units.values() if u.kind == UnitKind.COMMUNITY] or towns
    leaders_by_unit = {a.unit_id: a.leader for leader in city.leaders
                       for a in leader.assignments.all()}
    people_by_unit = {}
    for unit in city.units.values():
        people_by_unit[unit.pk] = list(unit.people.all()[:2])
    count = PROJECT_COUNTS[city.scale]
    projects = []
    used_names: set[str] = set()
    with engine.deferred_recompute():
        for i in range(count):
            template = TEMPLATES[i % len(TEMPLATES)]
            projects.append(_one_project(rng, city, i, template, today, categories, tasks,
                                         programmes, districts, towns, communities,
                                         leaders_by_unit, people_by_unit, used_names))
        ProjectYearPlan.objects.bulk_create([yp for p in projects for yp in p.year_plan_rows],
                                            batch_size=2000)
        _milestones_and_procedures(rng, projects, today)
        _reports(rng, projects, today, report_weeks(city.scale, today), city.scale in FULL_WINDOW)
        engine.record_missing_reports(now=timezone.now())
    # Replay the last weeks so the transitions (and the cockpit's trend) have a history.
    for weeks_ago in range(HISTORY_WEEKS, 0, -1):
        engine.recompute(Project.objects.all(), today=today - timedelta(days=7 * weeks_ago))
    engine.recompute(Project.objects.all(), today=today)
    _catch_up_some(rng, today)
    return projects


def _catch_up_some(rng, today):
    """A few red projects put their one red problem right through the real actions this
    week, so the demo shows the 观察期 rule (red → yellow, not green): investment caught up
    to 序时 by a report, or an overdue milestone recorded as reached."""
    from projects.models import ProjectStatus

    green = dict(reporting="green", procedures="green")
    by_investment = ProjectStatus.objects.filter(overall="red", investment="red",
                                                 milestones="green", **green)
    by_milestone = ProjectStatus.objects.filter(overall="red", milestones="red",
                                                investment="green", **green)
    done = 0
    for status in by_investment.select_related("project__plan").order_by("project__code")[:3]:
        done += _catch_up_investment(status.project, today)
    for status in by_milestone.select_related("project").order_by("project__code")[:3 - done]:
        for milestone in status.project.milestones.filter(actual_date=None,
                                                          planned_date__lt=today):
            actions.do_complete_milestone(milestone, today, acting_user=None)


def _catch_up_investment(project, today) -> int:
    reporting = engine.reporting_for(project.plan)
    this_week = reporting.period_start(today)
    if ProgressReport.objects.filter(project=project, period_start=this_week).exists():
        return 0
    plan = ProjectYearPlan.objects.filter(project=project, year=this_week.year).first()
    if plan is None:
        return 0
    as_of = min(today, date(this_week.year, 12, 31))
    target = schedule_to_date(plan.schedule(), as_of).quantize(Decimal("0.01"))
    previous = actions.previous_cumulative(project, this_week) or Decimal("0")
    last = project.reports.filter(status__in=engine.FILED).order_by("-period_start").first()
    actions.do_submit_report(project, acting_user=None, investment_year_cumulative=target,
                             investment_period=max(target - previous, Decimal("0")),
                             progress_percent=last.progress_percent if last else 0,
                             period_start=this_week,
                             progress_text="加快施工进度，投资已追赶至序时进度")
    return 1


def _lead_unit(rng, city, keys, towns):
    key = rng.choice(keys)
    if key == "town":
        return rng.choice(towns)
    return city.units.get(key) or city.units["住建局"]


def _one_project(rng, city, i, template, today, categories, tasks, programmes, districts,
                 towns, communities, leaders_by_unit, people_by_unit, used_names):
    cat, task, prog, pattern, keys, shape = template
    district = rng.choice(districts) if cat == "HX" else (
        rng.choice(districts) if rng.random() < 0.15 else None)
    road = rng.choice(ROADS_NS + ROADS_EW)
    name = pattern.format(district=district.name if district else "", road=road,
                          town=rng.choice(towns).name, n=i // len(TEMPLATES) + 1,
                          community=rng.choice(communities).name.replace("社区", "").replace(
                              "村", ""), stem=rng.choice(names.COMMUNITY_STEMS))
    name = unique_name(name, used_names)
    lead = _lead_unit(rng, city, keys, towns)
    total = Decimal(int(math.exp(rng.uniform(math.log(800), math.log(150000))))).quantize(
        Decimal("1"))
    tail = i % TAIL_EVERY == TAIL_EVERY - 1
    if tail:
        finish = today + timedelta(days=rng.randint(20, 45))
        start = finish - timedelta(days=rng.randint(300, 700))
        stage = Stage.CONSTRUCTION
    else:
        start = today - timedelta(days=rng.randint(-120, 700))
        finish = start + timedelta(days=rng.randint(240, 1000))
        stage = _stage(rng, today, start, finish)
    people = people_by_unit.get(lead.pk) or [None]
    project = actions.do_create_project(
        plan=city.plan, category=categories[cat], task=tasks[task],
        programme=programmes.get(prog) if prog else None, core_district=district, name=name,
        lead_unit=lead, total_investment=total, content=_content(rng, shape, total),
        geometry=_geometry(rng, shape, district), start_date=start, finish_date=finish,
        stage=stage, responsible_person=people[0], leader=leaders_by_unit.get(lead.pk),
        special_team=rng.random() < 0.2,
        stage_reason="征地拆迁未完成，暂停施工" if stage == Stage.SUSPENDED else "")
    project.year_plan_rows = [
        ProjectYearPlan(project=project, year=year, planned_investment=schedule[-1],
                        monthly_cumulative=[str(v) for v in schedule])
        for year, schedule in year_schedules(start, finish, total).items()
        if city.plan.start_year <= year <= city.plan.end_year]
    project.diligence = rng.choice([0.99, 0.98, 0.97, 0.95, 0.9, 0.85, 0.7])  # chance of filing on time
    project.pace = rng.choice([1.05, 1.02, 1.0, 1.0, 0.97, 0.93, 0.85, 0.75, 0.6, 0.4])  # investment vs 序时
    project.delay = rng.choice([0, 0, 0, 0, 0, 3, 6, 12, 25])                  # typical milestone slip
    if tail:
        project.diligence, project.pace, project.delay = 1.0, rng.choice([0.15, 0.25]), 0
    return project


def _stage(rng, today, start, finish):
    if start > today:
        return rng.choice([Stage.PLANNING, Stage.PRELIMINARY, Stage.PRELIMINARY])
    if finish < today:
        return rng.choice([Stage.COMPLETED, Stage.IN_USE, Stage.IN_USE, Stage.CONSTRUCTION])
    return Stage.SUSPENDED if rng.random() < 0.03 else Stage.CONSTRUCTION


BUILDING_SHARE = Decimal("0.95")  # the rest is spent before the start and at final accounts
WINTER = {12: 0.6, 1: 0.5, 2: 0.6}  # less work in the cold months (and around 春节)


def year_schedules(start: date, finish: date, total: Decimal) -> dict[int, list[Decimal]]:
    """Each year's 序时 schedule (cumulative 万元 at each month's end) for a project built
    from `start` to `finish`: the building share of its total spread over the months it is
    under way, slow at both ends and in winter. A year's plan is what falls in that year,
    so the years add up to no more than the total, and nothing is planned outside the
    project's own period."""
    months = []
    year, month = start.year, start.month
    while (year, month) <= (finish.year, finish.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    weights = [(0.4 + math.sin(math.pi * (i + 0.5) / len(months))) * WINTER.get(m, 1.0)
               for i, (_, m) in enumerate(months)]
    scale = total * BUILDING_SHARE / Decimal(sum(weights))
    monthly: dict[int, list[Decimal]] = {}
    for (y, m), w in zip(months, weights):
        monthly.setdefault(y, [Decimal("0")] * 12)[m - 1] = (scale * Decimal(w)).quantize(
            Decimal("0.01"), rounding="ROUND_DOWN")
    schedules = {}
    for y, amounts in monthly.items():
        cumulative, values = Decimal("0"), []
        for amount in amounts:
            cumulative += amount
            values.append(cumulative)
        schedules[y] = values
    return schedules


def _content(rng, shape, total):
    if shape == "line":
        return (f"全长约{rng.randint(8, 90) / 10}公里，红线宽{rng.choice([24, 30, 40, 50])}米，"
                "含道路、雨污水管网、照明及绿化。")
    if shape == "polygon":
        return f"占地约{rng.randint(20, 400)}亩，总建筑面积约{rng.randint(2, 30)}万平方米。"
    return f"总建筑面积约{rng.randint(3, 60) * 1000}平方米，总投资{total}万元。"


def _geometry(rng, shape, district):
    lon0, lat0 = names.CENTRE
    if district is not None:
        cx = (district.min_lon + district.max_lon) / 2
        cy = (district.min_lat + district.max_lat) / 2
        spread = (district.max_lon - district.min_lon) / 3
    else:
        cx, cy, spread = lon0 + rng.uniform(-0.12, 0.12), lat0 + rng.uniform(-0.1, 0.1), 0.01
    x, y = cx + rng.uniform(-spread, spread), cy + rng.uniform(-spread, spread)
    if shape == "point":
        return {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]}
    if shape == "line":
        angle = rng.uniform(0, math.pi)
        length = rng.uniform(0.01, 0.04)
        pts = [[round(x + math.cos(angle) * length * t / 3, 6),
                round(y + math.sin(angle) * length * t / 3, 6)] for t in range(4)]
        return {"type": "LineString", "coordinates": pts}
    w, h = rng.uniform(0.002, 0.006), rng.uniform(0.002, 0.006)
    ring = [[x, y], [x + w, y], [x + w, y + h], [x, y + h], [x, y]]
    return {"type": "Polygon", "coordinates": [[[round(a, 6), round(b, 6)] for a, b in ring]]}


def _milestones_and_procedures(rng, projects, today):
    milestones, procedures = [], []
    for project in projects:
        shape = "line" if "路" in project.name or "管网" in project.name else (
            "polygon" if "小区" in project.name or "公园" in project.name else "point")
        names_ = MILESTONE_SETS[shape]
        span = (project.finish_date - project.start_date).days
        for seq, name in enumerate(names_, start=1):
            planned = project.start_date + timedelta(days=int(span * (seq - 0.5) / len(names_)))
            actual = None
            if planned <= today + timedelta(days=3) and project.stage != Stage.PLANNING:
                slip = max(0, int(rng.gauss(project.delay, 4)))
                # Old milestones are done by now; the recent ones are where slips show.
                finished = (today - planned).days > 45 + slip or rng.random() < (
                    0.99 if project.delay == 0 else 0.85)
                if finished and planned + timedelta(days=slip) <= today:
                    actual = planned + timedelta(days=slip)
            if project.stage in (Stage.COMPLETED, Stage.IN_USE):
                actual = actual or min(planned, today)
            milestones.append(Milestone(project=project, seq=seq, name=name,
                                        planned_date=planned, baseline_date=planned,
                                        actual_date=actual, weight=Decimal("1")))
        for offset, kind in enumerate(PROCEDURES):
            required = project.start_date - timedelta(days=60 - offset * 10)
            done = project.stage not in (Stage.PLANNING, Stage.PRELIMINARY) or rng.random() < 0.6
            if project.stage == Stage.PRELIMINARY and rng.random() < 0.25:
                done = False
            procedures.append(ProcedureItem(
                project=project, kind=kind,
                status=ProcedureStatus.DONE if done else ProcedureStatus.IN_PROGRESS,
                required_by=required, done_on=required - timedelta(days=5) if done else None,
                document_no=f"示发改〔{required.year}〕{rng.randint(10, 300)}号" if done else ""))
    Milestone.objects.bulk_create(milestones, batch_size=2000)
    ProcedureItem.objects.bulk_create(procedures, batch_size=2000)


def _reports(rng, projects, today, weeks, full_window=False):
    """A year of weekly reports: most on time, some late, some never filed. Figures follow
    the project's own 序时 schedule at its pace: nothing is invested before the start or
    beyond the year's plan, and a project in 前期 reports its procedures, not construction."""
    reporting = engine.reporting_for(projects[0].plan)
    plans = {(yp.project_id, yp.year): yp for yp in ProjectYearPlan.objects.filter(
        project__in=projects)}
    current = engine.last_closed_period(reporting, timezone.now())
    rows = []
    for project in projects:
        if project.stage == Stage.PLANNING:
            continue
        start = current - timedelta(days=7 * (weeks - 1))
        if not full_window:
            start = max(reporting.period_start(project.start_date - timedelta(days=30)), start)
        last = current
        if project.stage in (Stage.COMPLETED, Stage.IN_USE):
            last = min(current, reporting.period_start(project.finish_date))
        def planned_cumulative(period, project=project):
            return _planned_cumulative(plans, reporting, project, period)

        before = start - timedelta(days=7)
        cumulative_year = planned_cumulative(before) if before.year == start.year else Decimal("0")
        period = start
        stops_reporting = rng.random() < 0.05  # a few projects fall silent recently
        while period <= last:
            if period.year != (period - timedelta(days=7)).year:
                cumulative_year = Decimal("0")  # a period belongs to the year it starts in
            deadline = reporting.deadline(period)
            recent = (current - period).days < 14
            if (stops_reporting and recent) or rng.random() > project.diligence + 0.05:
                period += timedelta(days=7)
                continue  # never filed: record_missing_reports marks it
            yp = plans.get((project.pk, period.year))
            noisy = planned_cumulative(period) * Decimal(rng.uniform(0.97, 1.03))
            new_cum = max(cumulative_year, min(noisy, yp.planned_investment if yp else noisy)
                          .quantize(Decimal("0.01")))
            late = rng.random() > project.diligence
            submitted = deadline + (timedelta(hours=rng.randint(2, 60)) if late
                                    else -timedelta(hours=rng.randint(1, 72)))
            text, percent = _progress(rng, project, period)
            rows.append(ProgressReport(
                project=project, period_start=period, period_end=reporting.period_end(period),
                deadline=deadline, status=ReportStatus.ACCEPTED if rng.random() < 0.7
                else ReportStatus.SUBMITTED, is_late=late, submitted_at=submitted,
                investment_period=new_cum - cumulative_year, investment_year_cumulative=new_cum,
                progress_text=text, progress_percent=percent))
            cumulative_year = new_cum
            period += timedelta(days=7)
        if project.pace < 0.6 and rng.random() < 0.5:
            project.problems = rng.choice(["征地拆迁进度滞后，需自然资源和规划局协调",
                                           "资金拨付不到位，需财政局协调", "管线迁改未完成，需供电公司配合",
                                           "施工许可尚未办结"])
            project.save()
    ProgressReport.objects.bulk_create(rows, batch_size=5000)


def _planned_cumulative(plans, reporting, project, period) -> Decimal:
    """The year's cumulative at the project's pace at the end of `period`."""
    yp = plans.get((project.pk, period.year))
    as_of = min(reporting.period_end(period), date(period.year, 12, 31))
    if yp is None or as_of < project.start_date or project.stage == Stage.PRELIMINARY:
        return Decimal("0")
    target = schedule_to_date(yp.schedule(), as_of) * Decimal(project.pace)
    return min(target, yp.planned_investment).quantize(Decimal("0.01"))


def _progress(rng, project, period) -> tuple[str, int]:
    """形象进度 as a clerk would read it: 前期 work before the start, then by elapsed time."""
    if project.stage == Stage.PRELIMINARY:
        return rng.choice(["前期工作：办理立项、用地、规划手续", "前期工作：方案设计及评审",
                           "前期工作：施工图设计及招标准备"]), 0
    span = max(1, (project.finish_date - project.start_date).days)
    # Building moves at the pace money moves: a project far behind on investment is not
    # shown as nearly finished.
    elapsed = (period - project.start_date).days / span * min(1.0, project.pace)
    percent = max(0, min(100, int(100 * elapsed)))
    if project.stage in (Stage.COMPLETED, Stage.IN_USE) and period >= project.finish_date:
        percent = 100
    return _progress_text(rng, percent), percent


def _progress_text(rng, percent):
    if percent < 15:
        return "施工准备，场地平整"
    if percent < 40:
        return rng.choice(["基础施工", "管网铺设", "土方开挖"])
    if percent < 75:
        return rng.choice(["主体结构施工", "路基施工", "二次结构砌筑"])
    return rng.choice(["装饰装修及附属工程", "路面及绿化施工", "竣工验收准备"])

