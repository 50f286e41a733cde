"""The SIP parser, digest authentication and MANSCDP XML, without a network."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jifang.video import digest, manscdp, sip

REGISTER = (
    b"REGISTER sip:34020000002000000001@3402000000 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK1\r\n"
    b"From: <sip:34020000001320000001@3402000000>;tag=1\r\n"
    b"To: <sip:34020000001320000001@3402000000>\r\n"
    b"Call-ID: abc@127.0.0.1\r\n"
    b"CSeq: 1 REGISTER\r\n"
    b"Contact: <sip:34020000001320000001@127.0.0.1:5070>\r\n"
    b"Max-Forwards: 70\r\n"
    b"Expires: 3600\r\n"
    b"Content-Length: 0\r\n\r\n"
)


def test_register_parses_and_round_trips():
    message = sip.parse_datagram(REGISTER)
    assert message.method == "REGISTER"
    assert message.get("call-id") == "abc@127.0.0.1"
    assert message.cseq() == (1, "REGISTER")
    assert sip.uri_user(message.get("From")) == "34020000001320000001"
    again = sip.parse_datagram(message.to_bytes())
    assert again.headers == message.headers and again.body == b""


def test_compact_headers_and_folding():
    raw = REGISTER.replace(b"Call-ID:", b"i:").replace(b"Max-Forwards: 70\r\n", b"Subject: a\r\n  b\r\n")
    message = sip.parse_datagram(raw)
    assert message.get("Call-ID") == "abc@127.0.0.1"
    assert message.get("Subject") == "a b"


def test_response_echoes_the_transaction_and_adds_a_tag():
    request = sip.parse_datagram(REGISTER)
    out = sip.parse_datagram(sip.response(request, 401, to_tag="xyz").to_bytes())
    assert out.status == 401 and out.reason == "Unauthorized"
    assert out.get("Via") == request.get("Via")
    assert sip.header_param(out.get("To"), "tag") == "xyz"


@pytest.mark.parametrize("raw, status", [
    (REGISTER.replace(b"CSeq: 1 REGISTER\r\n", b""), 400),
    (REGISTER.replace(b"CSeq: 1 REGISTER", b"CSeq: 1 MESSAGE"), 400),
    (REGISTER.replace(b"CSeq: 1 REGISTER", b"CSeq: x REGISTER"), 400),
    (REGISTER.replace(b"SIP/2.0\r\nVia", b"SIP/3.0\r\nVia"), 505),
    (REGISTER.replace(b"Content-Length: 0", b"Content-Length: 40"), 400),
    (REGISTER.replace(b"Content-Length: 0", b"Content-Length: -1"), 400),
    (REGISTER.replace(b"Content-Length: 0", b"Content-Length: 99999999"), 400),
    (REGISTER.replace(b"Max-Forwards: 70", b"Max Forwards 70"), 400),
    (REGISTER + b"x" * 70_000, 413),
])
def test_malformed_requests_raise_their_status(raw, status):
    with pytest.raises(sip.SipError) as caught:
        sip.parse_datagram(raw)
    assert caught.value.status == status


def test_respondable_needs_the_transaction_headers():
    broken = REGISTER.replace(b"Content-Length: 0", b"Content-Length: 40")
    assert sip.respondable(broken).method == "REGISTER"
    assert sip.respondable(b"garbage\r\n\r\n") is None
    assert sip.respondable(REGISTER.replace(b"Call-ID: abc@127.0.0.1\r\n", b"")) is None


def test_stream_framing_split_and_joined():
    buffer = sip.StreamBuffer()
    assert buffer.feed(REGISTER[:50]) == []
    messages = buffer.feed(REGISTER[50:] + b"\r\n\r\n" + REGISTER + REGISTER[:10])
    assert [m.method for m in messages] == ["REGISTER", "REGISTER"]
    assert buffer.feed(REGISTER[10:])[0].get("Expires") == "3600"
    assert buffer.data == b""


def test_stream_requires_content_length_and_bounds_size():
    with pytest.raises(sip.SipError):
        sip.StreamBuffer().feed(REGISTER.replace(b"Content-Length: 0\r\n", b""))
    with pytest.raises(sip.SipError) as caught:
        sip.StreamBuffer().feed(b"REGISTER sip:a@b SIP/2.0\r\n" + b"X: y\r\n" * 12_000)
    assert caught.value.status in (400, 413)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=2000))
def test_fuzz_random_bytes_never_crash(data):
    try:
        sip.parse_datagram(data)
    except sip.SipError:
        pass
    sip.respondable(data)
    try:
        sip.StreamBuffer().feed(data)
    except sip.SipError:
        pass


@settings(max_examples=400, deadline=None)
@given(st.integers(0, len(REGISTER) - 1), st.binary(min_size=1, max_size=8), st.booleans())
def test_fuzz_mutated_registers_never_crash(position, insert, replace):
    data = REGISTER[:position] + insert + REGISTER[position + (len(insert) if replace else 0):]
    try:
        message = sip.parse_datagram(data)
    except sip.SipError:
        return
    sip.parse_datagram(message.to_bytes())   # whatever parses serializes back to something parseable


# --- digest (protocols.md vector) ------------------------------------------------------------

VECTOR = dict(username="34020000001320000001", realm="3402000000", password="12345678", method="REGISTER",
              uri="sip:34020000002000000001@3402000000", nonce="9bd055f0e6e6ba9c7e20c5e7a2e84cc4")


def test_digest_vector_qop_auth_and_no_qop():
    assert digest.response(**VECTOR, qop="auth", nc="00000001", cnonce="0a4f113b") == \
        "312bf98351084abf26bb3312468e54fe"
    assert digest.response(**VECTOR) == "0d2c78ab028acaf3ee130fc574f3ee5f"


def test_digest_verify_parses_the_header():
    header = ('Digest username="34020000001320000001", realm="3402000000", nonce="9bd055f0e6e6ba9c7e20c5e7a2e84cc4", '
              'uri="sip:34020000002000000001@3402000000", response="312bf98351084abf26bb3312468e54fe", '
              'algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001')
    params = digest.parse_authorization(header)
    assert digest.verify(params, method="REGISTER", realm="3402000000", password="12345678")
    assert not digest.verify(params, method="REGISTER", realm="3402000000", password="12345679")
    no_qop = {k: v for k, v in params.items() if k not in ("qop", "nc", "cnonce")}
    no_qop["response"] = "0d2c78ab028acaf3ee130fc574f3ee5f"
    assert digest.verify(no_qop, method="REGISTER", realm="3402000000", password="12345678")
    assert digest.parse_authorization("Basic abc") is None
    assert digest.parse_authorization('Digest username="x", ,,') is None


def test_nonces_expire_and_cannot_be_forged():
    now = [1_000_000.0]
    book = digest.NonceBook(b"secret", lifetime=60, clock=lambda: now[0])
    nonce = book.issue()
    assert book.check(nonce) == "ok"
    assert digest.NonceBook(b"other", clock=lambda: now[0]).check(nonce) == "bad"
    assert book.check("f4240." + "0" * 32) == "bad"
    now[0] += 61
    assert book.check(nonce) == "stale"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_fuzz_authorization_header(value):
    params = digest.parse_authorization("Digest " + value)
    if params is not None:
        digest.verify(params, method="REGISTER", realm="r", password="p")


# --- MANSCDP ---------------------------------------------------------------------------------

CATALOG = """<?xml version="1.0" encoding="GB2312"?>
<Response>
<CmdType>Catalog</CmdType>
<SN>7</SN>
<DeviceID>34020000001180000001</DeviceID>
<SumNum>2</SumNum>
<DeviceList Num="2">
<Item><DeviceID>34020000001320000011</DeviceID><Name>南门摄像机</Name><Status>ON</Status></Item>
<Item><DeviceID>34020000001320000012</DeviceID><Name>金库通道</Name><Status>OFF</Status>
<Info><PTZType>1</PTZType></Info></Item>
</DeviceList>
</Response>
"""


@pytest.mark.parametrize("encoding", ["gb2312", "gb18030", "utf-8"])
def test_catalog_in_gb2312_gb18030_and_mislabelled_utf8(encoding):
    message = manscdp.parse(CATALOG.encode(encoding))
    assert (message.root, message.cmd_type, message.sn, message.sum_num) == ("Response", "Catalog", 7, 2)
    assert [item["Name"] for item in message.items] == ["南门摄像机", "金库通道"]
    assert message.items[1]["PTZType"] == "1"


@pytest.mark.parametrize("body", [
    b"<Response><CmdType>Catalog</CmdType></Response>",                       # no DeviceID
    b"<Foo><CmdType>x</CmdType><DeviceID>1</DeviceID></Foo>",                  # unknown root
    b"<Notify><CmdType>Keepalive</CmdType><DeviceID>1</DeviceID><SN>x</SN></Notify>",
    b"<Notify><CmdType>Keepalive",
    b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><Notify><CmdType>&a;</CmdType></Notify>',
    b"\xff\xfe\x00<",
])
def test_bad_bodies_are_refused(body):
    with pytest.raises(manscdp.XmlError):
        manscdp.parse(body)


def test_gb_text_that_is_also_utf8_is_read_as_gb():
    body = '<Response><CmdType>Catalog</CmdType><DeviceID>1</DeviceID><Name>霜</Name></Response>'.encode("gb18030")
    assert manscdp.parse(body).fields["Name"] == "霜"


def test_build_round_trips_chinese():
    body = manscdp.build("Query", "RecordInfo", 3, "34020000001320000011", StartTime="2026-11-03T10:00:00",
                         Name="南门<1>")
    assert b'encoding="GB2312"' in body
    message = manscdp.parse(body)
    assert message.fields["StartTime"] == "2026-11-03T10:00:00" and message.fields["Name"] == "南门<1>"


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=1500) | st.text(max_size=500).map(lambda t: ("<Notify>" + t).encode("utf-8")))
def test_fuzz_xml_never_crashes(body):
    try:
        manscdp.parse(body)
    except manscdp.XmlError:
        pass


NAMES = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5) | st.sampled_from(
    "ABCabc0123456789-_()（）#号楼层门 "), max_size=40)


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_fuzz_names_round_trip(name):
    """Device names (Chinese, Latin letters, digits, common marks) sent in GB18030 come back intact,
    unless the bytes are by accident also UTF-8 without one odd character (then UTF-8 is read)."""
    body = manscdp.build("Response", "Catalog", 1, "34020000001180000001", Name=name)
    read = manscdp.parse(body).fields["Name"]
    if read != name.strip():
        assert manscdp._odd(body.decode("utf-8")) == 0


# --- the fast paths: the same answers as the general ones ----------------------------------------

_SPACE = st.sampled_from(["", " ", "\r\n", "\n", "\t", "\r\n  "])


def _full_parse(body: bytes) -> manscdp.Manscdp:
    """What the XML parser makes of a body (the keepalive shortcut bypassed)."""
    original, manscdp._KEEPALIVE = manscdp._KEEPALIVE, manscdp.re.compile(rb"(?!)")
    try:
        return manscdp.parse(body)
    finally:
        manscdp._KEEPALIVE = original


@settings(max_examples=300, deadline=None)
@given(st.lists(_SPACE, min_size=8, max_size=8), st.booleans(), st.integers(0, 999_999_999),
       st.from_regex(r"[0-9A-Za-z]{1,64}", fullmatch=True), st.from_regex(r"[A-Za-z]{0,16}", fullmatch=True))
def test_the_keepalive_shortcut_reads_what_the_xml_parser_reads(gaps, declared, sn, device_id, status):
    head = '<?xml version="1.0" encoding="GB2312"?>' if declared else ""
    body = (f"{gaps[0]}{head}{gaps[1]}<Notify>{gaps[2]}<CmdType>Keepalive</CmdType>{gaps[3]}<SN>{sn}</SN>{gaps[4]}"
            f"<DeviceID>{device_id}</DeviceID>{gaps[5]}<Status>{status}</Status>{gaps[6]}</Notify>{gaps[7]}").encode()
    fast = manscdp.keepalive(body)
    assert fast is not None and fast == _full_parse(body) == manscdp.parse(body)


@pytest.mark.parametrize("body", [
    # other shapes go to the XML parser, which keeps its safety (and its refusals)
    b"<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>1</DeviceID><Status>OK</Status><Info>"
    b"<DeviceID>2</DeviceID></Info></Notify>",
    b'<!DOCTYPE x [<!ENTITY a "OK">]><Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>1</DeviceID>'
    b"<Status>&a;</Status></Notify>",
    b"<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>1&amp;</DeviceID><Status>OK</Status></Notify>",
    b"<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>1</DeviceID><Status>OK</Status></Notify><x/>",
    b"<Notify><CmdType>Keepalive</CmdType><SN>1</SN><DeviceID>1</DeviceID><Status>OK</Status></Notify>\x0c",
])
def test_other_keepalive_shapes_take_the_xml_parser(body):
    assert manscdp.keepalive(body) is None
    try:
        expected = _full_parse(body)
    except manscdp.XmlError:
        with pytest.raises(manscdp.XmlError):
            manscdp.parse(body)
    else:
        assert manscdp.parse(body) == expected


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from([b"\r", b"\n", b"a", b"\r\n", b"\r\n\r\n", b": ", b"\n\n"]), max_size=24)
       .map(b"".join))
def test_the_head_is_split_where_the_first_blank_line_is(data):
    """The CRLF shortcut in _split_head finds the blank line the general pattern finds."""
    match = sip._BLANK_LINE.search(data)
    try:
        split = sip._split_head(data)
    except sip.Incomplete:
        split = None
    assert split == (None if match is None else (data[:match.start()], data[match.end():]))


def test_a_response_echoes_every_via_in_order_under_its_canonical_name():
    request = sip.parse_datagram(REGISTER.replace(b"Via: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK1\r\n",
                                                  b"v: SIP/2.0/UDP a;branch=z9hG4bK1\r\nVIA: SIP/2.0/UDP b;branch=z9hG4bK2\r\n"))
    answer = sip.parse_datagram(sip.response(request, 200, to_tag="t1").to_bytes())
    assert answer.get_all("Via") == ["SIP/2.0/UDP a;branch=z9hG4bK1", "SIP/2.0/UDP b;branch=z9hG4bK2"]
    assert [name for name, _ in answer.headers[:2]] == ["Via", "Via"]
    assert answer.get("To").endswith(";tag=t1") and answer.get("CSeq") == "1 REGISTER"
