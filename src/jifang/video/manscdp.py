"""MANSCDP, the XML carried in GB/T 28181 MESSAGE bodies: parsing what devices send, building the
platform's queries.

Bodies declare `encoding="GB2312"` and usually are GB2312/GBK/GB18030; some devices send UTF-8 with
the same declaration. Both readings are tried; the one without odd characters wins (decode()). The XML is
parsed by defusedxml: no DTDs, no entity expansion, no external references.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_BODY = 60_000
MAX_ITEMS = 2_000            # items in one list: a catalogue arrives in many small packets
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
ROOTS = frozenset({"Query", "Response", "Notify", "Control"})
LISTS = ("DeviceList", "RecordList", "Alarmstatus")


class XmlError(ValueError):
    """A body that is not acceptable MANSCDP."""


def _odd(text: str) -> int:
    """Characters a device name is unlikely to hold: non-ASCII outside CJK ideographs and punctuation
    (GB-encoded Chinese misread as UTF-8 yields such characters, e.g. 霜 -> ˪)."""
    return sum(1 for c in text if ord(c) > 127 and not (0x3000 <= ord(c) <= 0x9FFF or 0xF900 <= ord(c) <= 0xFAFF
                                                         or 0xFF00 <= ord(c) <= 0xFFEF))


def decode(body: bytes) -> str:
    """UTF-8 (devices that mislabel it as GB2312) or GB18030 (the superset of GB2312 and GBK): the
    reading with fewer odd characters, UTF-8 on a tie. A GB body is valid UTF-8 only by accident."""
    if len(body) > MAX_BODY:
        raise XmlError("body too large")
    if body.isascii():                    # most bodies (every keepalive): both readings are the same
        return body.decode("ascii")
    readings = []
    for codec in ("utf-8", "gb18030"):
        try:
            readings.append(body.decode(codec))
        except UnicodeDecodeError:
            continue
    if not readings:
        raise XmlError("body neither GB18030 nor UTF-8")
    return min(readings, key=_odd)        # min keeps the first (UTF-8) on a tie


@dataclass
class Manscdp:
    root: str
    cmd_type: str
    sn: int
    device_id: str
    fields: dict[str, str] = field(default_factory=dict)   # direct children with text
    items: list[dict[str, str]] = field(default_factory=list)
    sum_num: int | None = None


def _text(element: Element) -> str:
    return (element.text or "").strip()


def _item(element: Element) -> dict[str, str]:
    out = {}
    for child in element:
        if len(child):                 # nested blocks (Info, ...): flatten one level
            for grandchild in child:
                out.setdefault(grandchild.tag, _text(grandchild))
        else:
            out[child.tag] = _text(child)
    return out


def _int(value: str | None, what: str) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 9:
        raise XmlError(f"bad {what}")
    return int(value)


# The keepalive every device sends each minute, in its one fixed shape (any whitespace between the
# elements, optional declaration): matched byte for byte so that the commonest body skips the XML
# parser. Element text is limited to characters that cannot start markup or an entity, so nothing
# the full parser would refuse or read differently passes here; every other body goes to defusedxml.
_KEEPALIVE = re.compile(
    rb"[ \t\r\n]*(?:<\?xml[^<>]{0,200}\?>[ \t\r\n]*)?<Notify>[ \t\r\n]*<CmdType>Keepalive</CmdType>[ \t\r\n]*"
    rb"<SN>([0-9]{1,9})</SN>[ \t\r\n]*<DeviceID>([0-9A-Za-z]{1,64})</DeviceID>[ \t\r\n]*"
    rb"<Status>([A-Za-z]{0,16})</Status>[ \t\r\n]*</Notify>[ \t\r\n]*")


def keepalive(body: bytes) -> Manscdp | None:
    """The keepalive of the fixed shape without an XML parse, or None (then use parse())."""
    match = _KEEPALIVE.fullmatch(body)
    if match is None:
        return None
    sn, device_id, status = (group.decode("ascii") for group in match.groups())
    return Manscdp(root="Notify", cmd_type="Keepalive", sn=int(sn), device_id=device_id,
                   fields={"CmdType": "Keepalive", "SN": sn, "DeviceID": device_id, "Status": status})


def parse(body: bytes) -> Manscdp:
    fast = keepalive(body) if len(body) < 512 else None
    if fast is not None:
        return fast
    text = _DECLARATION.sub("", decode(body), count=1)
    try:
        root = fromstring(text, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise XmlError(f"malformed XML: {exc.__class__.__name__}") from None
    if root.tag not in ROOTS:
        raise XmlError("unknown root element")
    message = Manscdp(root=root.tag, cmd_type="", sn=0, device_id="")
    for child in root:
        if child.tag in LISTS:
            message.items.extend(_item(entry) for entry in child)
            if len(message.items) > MAX_ITEMS:
                raise XmlError("too many items")
        elif not len(child):
            message.fields[child.tag] = _text(child)
    message.cmd_type = message.fields.get("CmdType", "")
    message.device_id = message.fields.get("DeviceID", "")
    if not message.cmd_type or not message.device_id:
        raise XmlError("CmdType and DeviceID are required")
    message.sn = _int(message.fields.get("SN"), "SN") or 0
    message.sum_num = _int(message.fields.get("SumNum"), "SumNum")
    return message


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build(root: str, cmd_type: str, sn: int, device_id: str, **extra: str) -> bytes:
    """A platform query or answer, encoded as GB2312 declares (GB18030 covers every name)."""
    lines = ['<?xml version="1.0" encoding="GB2312"?>', f"<{root}>", f"<CmdType>{cmd_type}</CmdType>",
             f"<SN>{sn}</SN>", f"<DeviceID>{_escape(device_id)}</DeviceID>"]
    lines += [f"<{name}>{_escape(str(value))}</{name}>" for name, value in extra.items()]
    lines.append(f"</{root}>")
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")
