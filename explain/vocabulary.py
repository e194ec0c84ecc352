"""How measures, operators and values read in Chinese and English.

This is presentation only: which measures exist and what they are compared with
is in the knowledge base; how each is computed is in ``zhunru.solver.measures``.
"""

from __future__ import annotations

from functools import lru_cache

from clingo import Symbol, SymbolType
from zhunru.solver.ladders import rung_name

# family -> (value format, zh label, en label); {k} is the key's first part.
FAMILIES: dict[str, tuple[str, str, str]] = {
    "level": ("rank", "医院级别", "hospital level"),
    "grade": ("rank", "医院等次", "hospital grade"),
    "county": ("flag", "位于县域", "located in a county"),
    "subject": ("flag", "核准登记诊疗科目“{k}”", "registered subject “{k}”"),
    "dept": ("flag", "设有{k}", "department {k} exists"),
    "dept_form": ("rank", "{k}的设置形式", "organisational form of {k}"),
    "dept_beds": ("count", "{k}床位", "beds of {k}"),
    "dept_open_beds": ("count", "{k}实际开放床位", "open beds of {k}"),
    "title_months": ("months", "取得{k}（或更高）职称的时间", "time holding the title {k} or higher"),
    "cases_in_hospital_type": ("count", "在{k}医院完成的病例数", "cases done in {k} hospitals"),
    "cases_each_year_in_hospital_type": ("count", "在{k}医院每年病例数（最少一年）", "{k} hospital, lowest year"),
    "dept_open_beds_total": ("count", "{k}等科室实际开放床位合计", "open beds of {k} and the other named departments"),
    "activity_months": ("months", "开展{k}工作的时间", "time performing {k}"),
    "volume": ("count", "{k}病例数", "{k}"),
    "capability": ("flag", "具备能力“{k}”", "capability “{k}”"),
    "equipment": ("count", "{k}数量", "number of {k}"),
    "region_providers": ("count", "本区具备资质的医疗机构数", "qualified providers in the district"),
    "newly_built": ("flag", "新建医疗机构", "newly built"),
    "filed": ("flag", "已备案/准予开展", "filed / approved"),
    "assessment_passed": ("flag", "通过评估/考核", "assessment passed"),
    "catalogue_covered": ("count", "能独立开展的目录手术类型数", "catalogue procedure types performed"),
    "catalogue_reference": ("count", "参照手术类型数", "reference procedure types"),
    "attest": ("attest", "认定 {k}", "attestation {k}"),
    "feature": ("flag", "“{k}”", "“{k}”"),
    "clean_grade": ("rank", "洁净级别", "clean grade"),
    "beds": ("count", "床位", "beds"),
    "area_per_bed": ("area", "每床净使用面积", "net floor area per bed"),
    "rating": ("count", "{k}", "{k}"),
    "licence": ("flag", "取得执业证书", "practising certificate"),
    "in_service": ("flag", "本院在职", "in service here"),
    "main_site_here": ("flag", "主执业地点为本院", "main practice site here"),
    "registered_here": ("flag", "在本院注册", "registered here"),
    "scope": ("flag", "执业范围/培训范围“{k}”", "scope “{k}”"),
    "category": ("flag", "执业类别“{k}”", "practice category “{k}”"),
    "title": ("rank", "专业技术职务", "professional title"),
    "exp_months": ("months", "{k}工作经验", "experience in {k}"),
    "continuous_months": ("months", "连续从事{k}工作", "continuous work in {k}"),
    "cases": ("count", "{k}病例数", "{k}"),
    "trained": ("flag", "经过{k}培训并考核合格", "trained and assessed in {k}"),
    "topic": ("flag", "内容为“{k}”", "topic “{k}”"),
    "authority": ("rank", "认定机关级别", "recognising authority"),
    "months": ("months", "时长", "duration"),
    "theory_hours": ("count", "理论学时", "theory hours"),
    "course_cases": ("count", "培训期间{k}完成病例数", "cases as {k} in training"),
    "course_cases_in": ("count", "培训期间{k}完成的该类病例数", "cases of the category as {k} in training"),
    "passed": ("flag", "考核合格", "passed"),
    "certificate": ("flag", "有培训证明", "certificate"),
    "same_specialty": ("flag", "本专业", "same specialty"),
    "external": ("flag", "外院医师", "from another hospital"),
    "related": ("flag", "与{k}相关", "related to {k}"),
    "before": ("flag", "发生在参照日期之前", "before the reference date"),
    "partner_level": ("rank", "帮扶医院级别", "partner level"),
    "partner_grade": ("rank", "帮扶医院等次", "partner grade"),
    "partner_qualified": ("flag", "帮扶医院具备资质", "partner qualified"),
    "staff_qualified": ("flag", "派驻人员具备资质", "dispatched staff qualified"),
    "assessed_after": ("flag", "帮扶满期后通过评估", "assessment passed after the support period"),
    "hospital_type": ("flag", "医院类别为{k}医院", "a {k} hospital"),
    "specialty_hospital": ("flag", "{k}专科医院", "a {k} specialty hospital"),
    "bed_pool": ("count", "{k}床位", "beds of {k}"),
    "volume_min_year": ("count", "窗口内最少一年的{k}", "lowest year of {k}"),
    "quality_num": ("count", "{k}分子", "numerator of {k}"),
    "quality_den": ("count", "{k}分母", "denominator of {k}"),
    "filed_any": ("flag", "已备案{k}", "{k} filed"),
    "idle_months": ("months", "{k}未开展的时间", "time since {k} was last performed"),
    "dept_physicians": ("count", "{k}医师数", "physicians of {k}"),
    "cases_min_year": ("count", "窗口内最少一年的{k}", "lowest year of {k}"),
    "exp_any_months": ("months", "{k}等工作经验", "experience in {k} and related fields"),
    "status": ("flag", "设备状态为{k}", "operating status is {k}"),
    "hospital_specialty": ("flag", "专科医院专科为{k}", "specialty hospital for {k}"),
    "equipment_featured": ("count", "{k}数量（限定用途）", "number of {k} (for the stated use)"),
    "document": ("flag", "持有有效的{k}", "holds a valid {k}"),
    "document_level": ("rank", "{k}所载级别", "level printed on {k}"),
    "seats": ("count", "舱位（座位）数", "seats"),
    "role": ("flag", "承担“{k}”", "duty “{k}”"),
    "cme_credits": ("count", "{k}继续教育Ⅰ类学分", "class-I CME credits in {k}"),
    "weeks": ("count", "培训周数", "weeks of training"),
    "specialty": ("flag", "专业为{k}", "specialty is {k}"),
    "discipline_months": ("months", "接受{k}培训的时间", "training in {k}"),
    "cases_each_year": ("count", "窗口内最少一年的{k}", "lowest year of {k}"),
    "in_window": ("flag", "发生在参照日期前的窗口内", "within the window before the reference date"),
    "scaled_cases": ("count", "{k}（×倍数）", "{k} (scaled)"),
    "scaled_volume": ("count", "{k}（×倍数）", "{k} (scaled)"),
    "dept_beds_total": ("count", "{k}等科室床位总数", "total beds of {k} and the other named departments"),
    "qualified": ("flag", "推荐人具备该技术资质", "the recommender holds the qualification"),
    "months_after_assessment": ("months", "通过评估后的帮扶时间", "support given after the assessment"),
}

OPS = {"ge": "≥", "gt": ">", "le": "≤", "lt": "<", "eq": "="}

STATUS = {
    "zh": {"holds": "满足", "fails": "不满足", "undetermined": "待定"},
    "en": {"holds": "met", "fails": "not met", "undetermined": "undetermined"},
}
VERDICT = {
    "zh": {"eligible": "符合", "ineligible": "不符合", "undetermined": "待定（证据不足）"},
    "en": {"eligible": "eligible", "ineligible": "ineligible", "undetermined": "undetermined"},
}


_EVENT_FIELDS = {
    "cases": ("", ""),
    "severe_complications": ("严重并发症", "severe complications among "),
    "deaths": ("死亡", "deaths among "),
    "malpractice": ("医疗事故", "malpractice among "),
    "complications": ("并发症", "complications among "),
}


def key_text(key: Symbol, lang: str = "zh") -> str:
    """The readable first part of a measure key."""
    if key.type == SymbolType.String:
        return key.string
    if key.type == SymbolType.Number:
        return str(key.number)
    if key.name == "q":  # q(Category, Kind, GradeMin, [Role,] Field, Window, Ref)
        return _case_query_text(key, lang)
    if key.arguments:
        return key_text(key.arguments[0], lang)
    return key.name


def _case_query_text(key: Symbol, lang: str) -> str:
    args = key.arguments
    category = args[0].string
    kind = args[1].string if args[1].type == SymbolType.String else ""
    grade3 = args[2].number >= 3
    role = args[3].string if len(args) == 7 else ""
    zh_field, en_field = _EVENT_FIELDS[args[-3].name]
    years = args[-2].number
    if lang == "zh":
        return f"近{years}年{role}{'三级以上' if grade3 else ''}{category}{kind}{zh_field}"
    grade = "grade-3+ " if grade3 else ""
    as_role = f" as {role}" if role else ""
    span = "the last year" if years == 1 else f"the last {years} years"
    return f"{en_field}{grade}{category}{kind} cases{as_role} in {span}"


@lru_cache(maxsize=65536)
def measure_label(measure: Symbol, lang: str) -> str:
    family, key = measure.arguments[0].name, measure.arguments[1]
    _, zh, en = FAMILIES.get(family, ("count", family, family))
    template = zh if lang == "zh" else en
    return template.format(k=key_text(key, lang))


@lru_cache(maxsize=65536)
def value_kind(measure: Symbol) -> str:
    """The family kind of a measure (count, months, rank, flag …); cached: symbols are slow to take apart."""
    return FAMILIES.get(measure.arguments[0].name, ("count",))[0]


def format_value(measure: Symbol, value: int, ladder: str | None, lang: str) -> str:
    kind = value_kind(measure)
    if kind == "rank" and ladder:
        return "无" if value == 0 and lang == "zh" else ("none" if value == 0 else rung_name(ladder, value))
    if kind in ("flag", "attest"):
        yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
        return yes if value else no
    if kind == "months":
        years, months = divmod(value, 12)
        if lang == "zh":
            return "".join([f"{years}年" if years else "", f"{months}个月" if months or not years else ""])
        parts = [f"{years} year{'s' if years != 1 else ''}" if years else ""]
        parts.append(f"{months} month{'s' if months != 1 else ''}" if months or not years else "")
        return " ".join(part for part in parts if part)
    if kind == "area":
        return f"{value / 100:g} m²"
    return str(value)


def format_margin(measure: Symbol, value: int, op: str, threshold: int, lang: str) -> str | None:
    """ "margin +6" / "short by 1" for numeric comparisons; None for flags and ranks."""
    kind = value_kind(measure)
    if kind not in ("count", "months", "area") or op == "eq":
        return None
    if op in ("ge", "gt"):
        needed = threshold + 1 if op == "gt" else threshold
        margin = value - needed
    else:
        allowed = threshold - 1 if op == "lt" else threshold
        margin = allowed - value
    amount = format_value(measure, abs(margin), None, lang) if kind in ("months", "area") else str(abs(margin))
    if margin >= 0:
        return f"余量 +{amount}" if lang == "zh" else f"margin +{amount}"
    return f"差 {amount}" if lang == "zh" else f"short by {amount}"
