"""What people read instead of the pack's ids: a clause as officials cite it (第七条 / Art. 7,
第六条第（八）项 / Art. 6 item 8), a penalty article (第二十五条 / Art. 25), a rule by its title,
a fine's target and unit kind, a parameter by its note. Every screen and document goes through
these; ids stay in URLs, the API and the JSON exports."""
import re

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jifang.core.divisions import CITY_CODE, CITY_NAME, DISTRICTS, DISTRICTS_EN

from . import packs, subjects
from .loader import PackError

CLAUSE_ID = re.compile(r"^art_(\d+)(?:__para_(\d+))?(?:__point_(\d+))?$")
DIGITS = "零一二三四五六七八九"
MANUAL_RULE = "manual"  # services.MANUAL_RULE: a finding an officer raised by hand
TARGETS = {
    "unit": _("unit"),
    "person_in_charge": _("person in charge"),
    "person_directly_responsible": _("person directly responsible"),
    "individual": _("individual"),
}
UNIT_KINDS = {"business": _("business unit"), "non_business": _("non-business unit"), "any": _("any unit")}
MEASURES = {
    "confiscate_equipment": _("confiscation of the equipment"),
    "delete_footage": _("deletion of the footage collected"),
    "warning": _("a warning"),
    "refer_to_licensing_authority": _("referral to the licensing authority (suspension, licence or business "
                                      "licence revoked)"),
}
LEVELS = {
    "law": pgettext_lazy("level of a law", "law"), "administrative_regulation": _("administrative regulation"),
    "local_regulation": _("local regulation"), "local_government_rule": _("local government rule"),
}


def english() -> bool:
    return (get_language() or "").startswith("en")


def chinese_number(n: int) -> str:
    """1..99 as officials write article numbers: 七, 十九, 二十五."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones or not tens else "")


def _clause(clause_id: str, pack_id: str | None = None):
    """The clause in `pack_id`, or in the first pack that has it. Both laws number an art_7, an
    art_13, an art_14...: whoever knows the pack names it."""
    for pack in packs.all_packs():
        if (pack_id is None or pack.id == pack_id) and clause_id in pack.clauses:
            return pack.clauses[clause_id]
    return None


def clause_label(clause_id: str, label_zh: str = "", pack_id: str | None = None) -> str:
    """第十九条 in Chinese, Art. 19 in English; `label_zh` is the label a finding stored, used when
    no loaded pack has the clause any more."""
    clause = _clause(clause_id, pack_id) if clause_id else None
    zh = clause.label_zh if clause else label_zh
    m = CLAUSE_ID.match(clause_id or "")
    if not english():
        return zh or (f"第{chinese_number(int(m[1]))}条" if m else "—")
    if not m:
        return zh or "—"
    label = f"Art. {m[1]}"
    if m[2] and "款" in zh:
        label += f" para. {m[2]}"
    if m[3]:
        label += f" item {m[3]}"
    return label


def article_label(article: str) -> str:
    """A penalty article ("art_25") as 第二十五条 / Art. 25; a penalty clause of a law whose article
    has several penalty paragraphs ("art_27__para_2") as 第二十七条第二款 / Art. 27 para. 2."""
    m = CLAUSE_ID.match(article or "")
    if not m:
        return article or "—"
    para = m[2] and article.endswith(f"__para_{m[2]}") and _several_paragraphs(int(m[1]), article)
    if english():
        return f"Art. {m[1]}" + (f" para. {m[2]}" if para else "")
    return f"第{chinese_number(int(m[1]))}条" + (f"第{chinese_number(int(m[2]))}款" if para else "")


def _several_paragraphs(number: int, article: str) -> bool:
    """Whether a pack that names `article` as a penalty clause has more than one paragraph there."""
    prefix = f"art_{number}__para_"
    for pack in packs.all_packs():
        if article in pack.sanctions:
            return len({c.split("__")[1] for c in pack.clauses if c.startswith(prefix)}) > 1
    return False


def rule_title(rule_id: str) -> str:
    """A rule by its title in the pack (zh or en); a hand-raised finding as such."""
    if rule_id == MANUAL_RULE:
        return str(_("found in an inspection"))
    for pack in packs.all_packs():
        try:
            title = pack.rule(rule_id).title
        except PackError:
            continue
        if title:
            return title["en" if english() else "zh"]
    return rule_id


def subject_type_label(subject_type: str) -> str:
    """设备, 技防系统, 场所…: the verbose name of the model a rule subject is registered with."""
    subject = subjects.get(subject_type)
    return str(subject.model._meta.verbose_name) if subject else subject_type


def pack_title(pack_id: str) -> str:
    try:
        meta = packs.get_pack(pack_id).meta
    except PackError:
        return pack_id
    return (meta.get("title_en") if english() else "") or meta["title_zh"]


def first_measure(sanction: dict) -> str:
    return (sanction.get("first_measure_en") if english() else "") or sanction.get("first_measure", "")


def target_label(target: str) -> str:
    return str(TARGETS.get(target, target))


def unit_kind_label(kind: str) -> str:
    return str(UNIT_KINDS.get(kind, kind))


def param_label(entry: dict, name: str) -> str:
    """A parameter by its note (the law's own words), the name only when the pack gives none."""
    return entry.get("note_en" if english() else "note_zh") or entry.get("note_zh") or name


def area_label(prefix: str) -> str:
    """A pack's area (a division-code prefix) by name: 昆明市 / Kunming; empty is nationwide."""
    if not prefix:
        return str(_("nationwide"))
    if CITY_CODE.startswith(prefix):
        return "Kunming" if english() else CITY_NAME
    code = next((c for c in DISTRICTS if c.startswith(prefix)), None)
    if code is None:
        return prefix
    return DISTRICTS_EN[code] if english() else DISTRICTS[code]


def measure_label(measure: str) -> str:
    return str(MEASURES.get(measure, measure))


def fine_range(fine: dict) -> str:
    """A fine's range as the law writes it (amounts ungrouped, as decisions write them): 20000元以下 /
    up to 20,000 yuan; 10000元以上20000元以下 / 10,000 – 20,000 yuan; 200元 / 200 yuan."""
    low, high = fine["min"], fine["max"]
    if english():
        if fine.get("up_to"):
            return f"up to {high:,} yuan"
        return f"{low:,} yuan" if low == high else f"{low:,} – {high:,} yuan"
    if fine.get("up_to"):
        return f"{high}元以下"
    return f"{low}元" if low == high else f"{low}元以上{high}元以下"


def level_label(pack_id: str) -> str:
    try:
        level = packs.get_pack(pack_id).meta.get("level")
    except PackError:
        return ""
    return str(LEVELS.get(level, ""))


def pack_short(pack_id: str) -> str:
    """A pack by its short name where several laws share a line: 国务院令第799号 / Order 799,
    昆明市人民政府令第116号 / Kunming Order 116."""
    try:
        meta = packs.get_pack(pack_id).meta
    except PackError:
        return pack_id
    if english():
        return meta.get("short_en") or meta.get("title_en") or meta["title_zh"]
    return meta.get("short_zh") or meta.get("order_number") or meta["title_zh"]
