"""What people read instead of the pack's ids: a clause as officials cite it (第七条 / Art. 7,
第六条第（八）项 / Art. 6 item 8), a penalty article (第二十五条 / Art. 25), a rule by its title,
a fine's target and unit kind, a parameter by its note. Every screen and document goes through
these; ids stay in URLs, the API and the JSON exports."""
import re

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

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
}
UNIT_KINDS = {"business": _("business unit"), "non_business": _("non-business unit"), "any": _("any unit")}


def english() -> bool:
    return (get_language() or "").startswith("en")


def chinese_number(n: int) -> str:
    """1..99 as officials write article numbers: 七, 十九, 二十五."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones or not tens else "")


def _clause(clause_id: str):
    for pack in packs.all_packs():
        if clause_id in pack.clauses:
            return pack.clauses[clause_id]
    return None


def clause_label(clause_id: str, label_zh: str = "") -> str:
    """第十九条 in Chinese, Art. 19 in English; `label_zh` is the label a finding stored, used when
    no loaded pack has the clause any more."""
    clause = _clause(clause_id) if clause_id else None
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
    """A penalty article ("art_25") as 第二十五条 / Art. 25."""
    m = CLAUSE_ID.match(article or "")
    if not m:
        return article or "—"
    return f"Art. {m[1]}" if english() else f"第{chinese_number(int(m[1]))}条"


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
