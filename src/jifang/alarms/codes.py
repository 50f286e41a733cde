"""Contact ID (SIA DC-05) and SIA DC-03 event codes in words, with the console's category and priority.

Only the codes panels in Kunming's banks, jewellers, museums and schools send in practice are
named; any other code is still stored and shown by its number with the category "other"."""
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """In the order the console ranks them (art_12: the centre answers fire and people first)."""

    FIRE = "fire", _("fire")
    PANIC = "panic", _("panic / duress")
    BURGLARY = "burglary", _("burglary")
    TAMPER = "tamper", _("tamper")
    TROUBLE = "trouble", _("trouble")
    TEST = "test", _("test")
    OPEN_CLOSE = "open_close", _("arming / disarming")
    OTHER = "other", _("other")


PRIORITY = {c: i for i, c in enumerate(Category.values, start=1)}
# Categories an operator must handle; the rest are logged (restores are paired, not queued).
ACTION = frozenset({Category.FIRE, Category.PANIC, Category.BURGLARY, Category.TAMPER, Category.TROUBLE})

F, P, B, T, TR, TE, OC, O = (Category.FIRE, Category.PANIC, Category.BURGLARY, Category.TAMPER, Category.TROUBLE,
                             Category.TEST, Category.OPEN_CLOSE, Category.OTHER)

# Contact ID event code -> (category, Chinese, English)
CONTACT_ID = {
    "100": (P, "医疗求助", "medical emergency"),
    "101": (P, "个人紧急求助", "personal emergency"),
    "110": (F, "火警", "fire alarm"),
    "111": (F, "烟感火警", "smoke detector fire alarm"),
    "112": (F, "燃烧火警", "combustion fire alarm"),
    "113": (F, "水流报警", "water flow alarm"),
    "114": (F, "感温火警", "heat detector fire alarm"),
    "115": (F, "手动报警按钮火警", "manual call point fire alarm"),
    "117": (F, "火焰火警", "flame detector fire alarm"),
    "120": (P, "紧急求助（劫警）", "panic alarm"),
    "121": (P, "胁迫报警", "duress alarm"),
    "122": (P, "无声劫警", "silent panic alarm"),
    "123": (P, "有声劫警", "audible panic alarm"),
    "130": (B, "盗警", "burglary alarm"),
    "131": (B, "周界盗警", "perimeter burglary alarm"),
    "132": (B, "内部盗警", "interior burglary alarm"),
    "133": (B, "24小时防区盗警", "24-hour zone burglary alarm"),
    "134": (B, "出入口盗警", "entry/exit burglary alarm"),
    "135": (B, "日夜防区盗警", "day/night zone burglary alarm"),
    "137": (T, "防拆报警", "tamper alarm"),
    "139": (B, "确认入侵", "verified intrusion"),
    "144": (T, "探测器防拆", "sensor tamper"),
    "145": (T, "扩展模块防拆", "expansion module tamper"),
    "300": (TR, "系统故障", "system trouble"),
    "301": (TR, "交流电断电", "AC power loss"),
    "302": (TR, "电池电压低", "low system battery"),
    "305": (TR, "系统复位", "system reset"),
    "309": (TR, "电池测试失败", "battery test failure"),
    "321": (TR, "警号故障", "siren trouble"),
    "350": (TR, "通信故障", "communication trouble"),
    "354": (TR, "通信失败", "failure to communicate"),
    "373": (TR, "火警回路故障", "fire loop trouble"),
    "380": (TR, "探测器故障", "sensor trouble"),
    "383": (T, "探测器防拆", "sensor tamper"),
    "384": (TR, "无线探测器电池低", "wireless sensor low battery"),
    "400": (OC, "撤防/布防", "disarm / arm"),
    "401": (OC, "用户撤防/布防", "disarm / arm by user"),
    "403": (OC, "自动撤防/布防", "automatic disarm / arm"),
    "407": (OC, "远程撤防/布防", "remote disarm / arm"),
    "441": (OC, "留守布防", "stay arm"),
    "570": (O, "防区旁路", "zone bypass"),
    "601": (TE, "手动测试", "manual test"),
    "602": (TE, "定期测试", "periodic test"),
    "603": (TE, "无线发射器测试", "RF transmitter test"),
}
CID_USER_CODES = frozenset({"121", "400", "401", "403", "407", "441"})

# SIA DC-03 two-letter code -> (category, Chinese, English, the alarm code it restores or None)
SIA = {
    "FA": (F, "火警", "fire alarm", None), "FR": (F, "火警恢复", "fire restore", "FA"),
    "FT": (TR, "火警回路故障", "fire trouble", None), "FJ": (TR, "火警故障恢复", "fire trouble restore", "FT"),
    "PA": (P, "紧急求助（劫警）", "panic alarm", None), "PR": (P, "紧急求助恢复", "panic restore", "PA"),
    "HA": (P, "劫盗报警", "holdup alarm", None), "HR": (P, "劫盗报警恢复", "holdup restore", "HA"),
    "MA": (P, "医疗求助", "medical alarm", None), "MR": (P, "医疗求助恢复", "medical restore", "MA"),
    "BA": (B, "盗警", "burglary alarm", None), "BR": (B, "盗警恢复", "burglary restore", "BA"),
    "TA": (T, "防拆报警", "tamper alarm", None), "TR": (T, "防拆恢复", "tamper restore", "TA"),
    "AT": (TR, "交流电断电", "AC trouble", None), "AR": (TR, "交流电恢复", "AC restore", "AT"),
    "YT": (TR, "电池故障", "battery trouble", None), "YR": (TR, "电池恢复", "battery restore", "YT"),
    "YC": (TR, "通信故障", "communication fail", None), "YK": (TR, "通信恢复", "communication restore", "YC"),
    "BB": (O, "防区旁路", "burglary bypass", None), "BU": (O, "取消旁路", "burglary unbypass", "BB"),
    "OP": (OC, "撤防", "opening (disarmed)", None), "CL": (OC, "布防", "closing (armed)", None),
    "RP": (TE, "定期测试", "automatic test", None), "RX": (TE, "手动测试", "manual test", None),
}


@dataclass(frozen=True)
class Decoded:
    protocol: str  # cid | sia | null
    code: str  # "130", "BA", "" for a link test
    qualifier: str  # new | restore | status
    category: str
    label_zh: str
    label_en: str
    partition: str = ""
    zone: str = ""
    user: str = ""
    restores: str = ""  # the code of the alarm a restore ends ("130", "BA")


LINK_TEST = Decoded("null", "", "status", Category.TEST, "链路测试", "link test")
_CID = re.compile(r"#?[0-9A-Za-z]{0,16}\|?(?P<q>[136])(?P<code>[0-9A-Fa-f]{3}) ?(?P<gg>[0-9A-Fa-f]{2}) ?"
                  r"(?P<zzz>[0-9A-Fa-f]{3})")
# area and user bounded by their columns (8): a longer number is no event we can store (DUH)
_SIA = re.compile(r"[NO]?(?:ri(?P<area>\d{1,8})/?)?(?:id(?P<user>\d{1,8})/?)?(?:ti[\d:]+/?)?(?P<code>[A-Z]{2})"
                  r"(?P<zone>\d{0,4})")


def decode(token: str, data: str) -> Decoded | None:
    """The event a message's data carries, or None when the data is not a Contact ID / SIA event."""
    if token == "NULL":
        return LINK_TEST
    if token == "ADM-CID":
        return _contact_id(data)
    return _sia(data)


def _contact_id(data: str) -> Decoded | None:
    m = _CID.fullmatch(data.strip())
    if m is None:
        return None
    code, q = m["code"].upper(), m["q"]
    category, zh, en = CONTACT_ID.get(code, (O, f"事件{code}", f"event {code}"))
    is_user = code in CID_USER_CODES
    if category == Category.OPEN_CLOSE:
        zh, en = ("撤防", "disarmed") if q == "1" else ("布防", "armed")
        qualifier = "status"
    else:
        qualifier = {"1": "new", "3": "restore", "6": "status"}[q]
        if qualifier == "restore":
            zh, en = f"{zh}恢复", f"{en} restored"
    return Decoded("cid", code, qualifier, category, zh, en, partition=m["gg"],
                   zone="" if is_user else m["zzz"], user=m["zzz"] if is_user else "",
                   restores=code if qualifier == "restore" else "")


def _sia(data: str) -> Decoded | None:
    """`#acct|N[ri<area>][id<user>][ti<time>]<code>[<zone>][|A<text>]`, names in ^...^ ignored."""
    _acct, _bar, body = data.partition("|")
    m = _SIA.match(re.sub(r"\^[^^]*\^", "", body))
    if m is None:
        if body.startswith("A"):  # a text-only message
            return Decoded("sia", "A", "status", O, "文本消息", "text message")
        return None
    code = m["code"]
    category, zh, en, restores = SIA.get(code, (O, f"事件{code}", f"event {code}", None))
    qualifier = "restore" if restores else ("status" if category == Category.OPEN_CLOSE else "new")
    return Decoded("sia", code, qualifier, category, zh, en, partition=m["area"] or "", zone=m["zone"],
                   user=m["user"] or "", restores=restores or "")
