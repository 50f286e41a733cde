"""SIA DC-09 framing, decoding and replies: the vectors of the protocol notes byte for byte, every
behaviour case of issue 11 §4, and a hypothesis fuzz of the parser and the TCP framer."""
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jifang.alarms import codes, dc09

KEY = b"0123456789ABCDEF"
NOW = dt.datetime(2026, 9, 25, 14, 12, 10, tzinfo=dt.UTC)  # 6 s after the vectors' timestamp
BURGLARY = b'\n6AA5003D"ADM-CID"0001R1L1#1234[#1234|1130 01 003]_14:12:04,09-25-2026\r'
RESTORE = b'\n05D3003D"ADM-CID"0002R1L1#1234[#1234|3130 01 003]_14:12:04,09-25-2026\r'
SIA = b'\n4F0E003C"SIA-DCS"0003R1L1#1234[#1234|Nri1/BA003]_14:12:04,09-25-2026\r'
NULL = b'\n821B0029"NULL"0004R1L1#1234[]_14:12:04,09-25-2026\r'
ACK_1 = b'\nD2770014"ACK"0001R1L1#1234[]\r'
ENCRYPTED = (b'\n13750078"*ADM-CID"0005R1L1#1234[D25B0EBD052164F4560D5E705ADFF825DC169C66F2183A0A8FFAF76A36FFF5E9'
             b'0999A2548F59F3A5F3F7DF44E129A0B7\r')


def outcome(raw: bytes, *, known=True, key=None, now=NOW) -> dc09.Outcome | dc09.Rejected:
    parsed = dc09.read_frame(raw)
    if isinstance(parsed, dc09.Rejected):
        return parsed
    return dc09.decode(parsed, known=known, key=key, now=now)


def test_crc16_arc_check_value():
    assert dc09.crc16_arc(b"123456789") == 0xBB3D


@pytest.mark.parametrize("raw", [BURGLARY, RESTORE, SIA, NULL, ACK_1, ENCRYPTED])
def test_vectors_are_framed_byte_for_byte(raw):
    span = raw[9:-1]
    assert dc09.frame(span) == raw


@pytest.mark.parametrize(("raw", "data"), [(BURGLARY, "#1234|1130 01 003"), (RESTORE, "#1234|3130 01 003"),
                                           (SIA, "#1234|Nri1/BA003"), (NULL, "")])
def test_plain_vectors_decode_and_ack(raw, data):
    result = outcome(raw)
    assert result.verdict == dc09.Verdict.ACK
    assert result.message.data == data
    assert result.message.timestamp == dt.datetime(2026, 9, 25, 14, 12, 4, tzinfo=dt.UTC)


def test_ack_of_the_first_vector_is_the_vector():
    assert dc09.ack(dc09.read_frame(BURGLARY), NOW) == ACK_1


def test_encrypted_vector_decrypts_with_the_account_key():
    result = outcome(ENCRYPTED, key=KEY)
    assert result.verdict == dc09.Verdict.ACK
    assert result.message.data == "#1234|1602 00 000"
    assert codes.decode("ADM-CID", result.message.data).code == "602"


def test_encrypted_ack_carries_the_receiver_time_inside():
    reply = dc09.ack(dc09.read_frame(ENCRYPTED), NOW, KEY)
    assert reply.startswith(b'\n') and b'"*ACK"0005R1L1#1234[' in reply and reply.endswith(b"\r")
    assert _checks_pass(reply)  # framed with a right CRC and length
    text = dc09._decrypt_body(reply[reply.index(b"[") + 1:-1], KEY)
    assert text == "]_14:12:10,09-25-2026"


def test_decoded_events_in_words():
    burglary = codes.decode("ADM-CID", "#1234|1130 01 003")
    assert (burglary.category, burglary.zone, burglary.partition, burglary.label_zh) == ("burglary", "003", "01", "盗警")
    restore = codes.decode("ADM-CID", "#1234|3130 01 003")
    assert restore.qualifier == "restore" and restore.restores == "130"
    sia = codes.decode("SIA-DCS", "#1234|Nri1/BA003")
    assert (sia.code, sia.partition, sia.zone, sia.category) == ("BA", "1", "003", "burglary")
    assert codes.decode("SIA-DCS", "#1234|NBR003").restores == "BA"
    assert codes.decode("ADM-CID", "#1234|1121 01 007").user == "007"


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["ADM-CID", "SIA-DCS"]),
       st.one_of(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60),
                 st.from_regex(r"#1234\|[NO]?(ri[0-9]{1,12}/)?(id[0-9]{1,12}/)?[A-Z]{2}[0-9]{0,6}", fullmatch=True)))
def test_every_decoded_event_fits_its_columns(token, data):
    """What codes.decode returns goes into the event's columns as it is: a value longer than its
    column would fail the whole batch on PostgreSQL (every panel's ACK in it), so none may be."""
    from jifang.alarms.models import AlarmEvent

    decoded = codes.decode(token, data)
    if decoded is None:
        return
    columns = {"code": "code", "qualifier": "qualifier", "category": "category", "partition": "partition",
               "zone": "zone", "user": "user_number", "label_zh": "label_zh", "label_en": "label_en"}
    for attribute, field in columns.items():
        assert len(getattr(decoded, attribute)) <= AlarmEvent._meta.get_field(field).max_length, attribute


# --- behaviour cases (issue 11 §4) ---------------------------------------------------------------

def test_bad_crc_is_silence():
    raw = BURGLARY.replace(b"6AA5", b"6AA6")
    result = outcome(raw)
    assert (result.verdict, result.reply) == (dc09.Verdict.SILENCE, b"")


def test_bad_length_is_silence():
    raw = BURGLARY.replace(b"003D", b"003E")
    assert outcome(raw).verdict == dc09.Verdict.SILENCE
    assert outcome(BURGLARY[:-2] + b"\r").verdict == dc09.Verdict.SILENCE  # one byte missing


def test_unknown_account_gets_a_framed_nak_with_the_receiver_time():
    result = outcome(BURGLARY, known=False)
    assert result.verdict == dc09.Verdict.NAK
    assert result.reply == dc09.frame(b'"NAK"0000R0L0A0[]_14:12:10,09-25-2026')
    assert _checks_pass(result.reply)


def encrypted(seq=7, panel_time=NOW, data="#1234|1130 01 003", key=KEY):
    return dc09.message("ADM-CID", seq, "1234", data, key=key, now=panel_time)


@pytest.mark.parametrize(("offset", "verdict"), [
    (-40, dc09.Verdict.ACK), (-41, dc09.Verdict.NAK),  # stale: the panel's clock is behind ours
    (20, dc09.Verdict.ACK), (21, dc09.Verdict.NAK),  # future
])
def test_timestamp_window_edges(offset, verdict):
    result = outcome(encrypted(panel_time=NOW + dt.timedelta(seconds=offset)), key=KEY)
    assert result.verdict == verdict
    if verdict == dc09.Verdict.NAK:
        assert b'"NAK"' in result.reply and b"_14:12:10,09-25-2026" in result.reply


def test_plain_message_with_an_old_timestamp_is_still_acked():
    """Documented choice: the window guards encrypted messages against replay; a plain alarm
    from a panel with a wrong clock is not refused."""
    assert outcome(BURGLARY, now=NOW + dt.timedelta(days=3)).verdict == dc09.Verdict.ACK


def test_encrypted_without_key_or_with_the_wrong_key_is_nak():
    assert outcome(ENCRYPTED, key=None).verdict == dc09.Verdict.NAK
    assert outcome(ENCRYPTED, key=b"FEDCBA9876543210").verdict == dc09.Verdict.NAK


@pytest.mark.parametrize("key", [b"k" * 16, b"k" * 24, b"k" * 32])
def test_aes_128_192_256(key):
    result = outcome(encrypted(key=key), key=key)
    assert result.verdict == dc09.Verdict.ACK and result.message.data == "#1234|1130 01 003"


def test_duplicate_is_the_same_message():
    first, again = outcome(BURGLARY), outcome(BURGLARY)
    assert first.message == again.message  # the store keys both to one event (test_receiver)


def test_sequence_wrap():
    top = dc09.message("ADM-CID", 9999, "1234", "#1234|1130 01 003")
    wrapped = dc09.message("ADM-CID", 1, "1234", "#1234|1130 01 003")
    assert outcome(top).message.frame.seq == "9999" and outcome(wrapped).message.frame.seq == "0001"
    assert b'"ACK"9999R1L1' in dc09.ack(dc09.read_frame(top), NOW)
    assert outcome(dc09.message("ADM-CID", 0, "1234", "#1234|1130 01 003")).verdict == dc09.Verdict.DUH


def test_missing_receiver_number_is_accepted_and_not_echoed():
    raw = dc09.message("ADM-CID", 12, "1234", "#1234|1130 01 003", receiver=None)
    assert outcome(raw).verdict == dc09.Verdict.ACK
    assert dc09.ack(dc09.read_frame(raw), NOW) == dc09.frame(b'"ACK"0012L1#1234[]')


def test_missing_line_number_is_duh():
    span = b'"ADM-CID"0012R1#1234[#1234|1130 01 003]'
    assert outcome(dc09.frame(span)).verdict == dc09.Verdict.DUH


def test_lowercase_hex_crc_length_and_body_accepted():
    lower = b"\n" + BURGLARY[1:9].lower() + BURGLARY[9:]
    assert lower != BURGLARY or BURGLARY[1:9].lower() == BURGLARY[1:9]
    assert outcome(b"\n6aa5003d" + BURGLARY[9:]).verdict == dc09.Verdict.ACK
    body_at = ENCRYPTED.index(b"[") + 1
    span = ENCRYPTED[9:body_at] + ENCRYPTED[body_at:-1].lower()
    assert outcome(dc09.frame(span), key=KEY, now=NOW).verdict == dc09.Verdict.ACK


def test_unsupported_type_and_undecodable_data_are_duh():
    assert outcome(dc09.frame(b'"SIA-XYZ"0001R1L1#1234[x]')).verdict == dc09.Verdict.DUH
    assert outcome(dc09.frame(b'"ADM-CID"0001R1L1#1234[no closing')).verdict == dc09.Verdict.DUH
    assert outcome(dc09.frame(b'"NULL"0001R1L1#1234[#1234|1130 01 003]')).verdict == dc09.Verdict.DUH
    assert outcome(dc09.frame(b'garbage')).verdict == dc09.Verdict.DUH


@pytest.mark.parametrize("extra", ["[\x00]", "[\x07bell]", "[\x7f]"])
def test_control_characters_make_a_message_malformed(extra):
    """A NUL in the data would fail the whole batch on PostgreSQL (no text column holds one): plain
    messages get DUH, encrypted ones NAK, before they reach the database."""
    plain = dc09.message("ADM-CID", 1, "1234", "#1234|1130 01 003", extra=extra)
    assert outcome(plain).verdict == dc09.Verdict.DUH
    sealed = dc09.message("ADM-CID", 2, "1234", "#1234|1130 01 003", extra=extra, key=KEY, now=NOW)
    assert outcome(sealed, key=KEY).verdict == dc09.Verdict.NAK


def test_opax_binary_crc_is_not_accepted():
    """Documented: a two-byte raw CRC is treated like any bad CRC (silence)."""
    span = BURGLARY[9:-1]
    crc = dc09.crc16_arc(span)
    raw = b"\n" + bytes([crc >> 8, crc & 0xFF]) + b"%04X" % len(span) + span + b"\r"
    assert outcome(raw).verdict == dc09.Verdict.SILENCE


def test_framer_pipelined_and_split():
    stream = BURGLARY + RESTORE + SIA
    framer = dc09.Framer()
    assert framer.feed(stream) == [BURGLARY, RESTORE, SIA]
    framer = dc09.Framer()
    got = []
    for i in range(len(stream)):
        got += framer.feed(stream[i:i + 1])
    assert got == [BURGLARY, RESTORE, SIA] and not framer.pending


def test_framer_skips_garbage_and_resynchronises():
    framer = dc09.Framer()
    garbage = b"HELLO\n\nZZZZ\nFFFFFFFF" + b"\n0000000Fxx\r"
    frames = framer.feed(garbage + BURGLARY + b"\x00\xff" + NULL)
    assert frames[-2:] == [BURGLARY, NULL]
    assert all(isinstance(dc09.read_frame(f), dc09.Rejected) for f in frames[:-2])


def test_framer_refuses_oversized_frames():
    framer = dc09.Framer(max_span=64)
    huge = dc09.frame(b'"ADM-CID"0001R1L1#1234[' + b"9" * 200 + b"]")
    assert framer.feed(huge + BURGLARY) == [BURGLARY]
    assert len(framer.buffer) == 0


# --- fuzz --------------------------------------------------------------------------------------------

def _checks_pass(raw: bytes) -> bool:
    if len(raw) < 11 or raw[:1] != b"\n" or raw[-1:] != b"\r":
        return False
    try:
        return int(raw[5:9], 16) == len(raw) - 10 and int(raw[1:5], 16) == dc09.crc16_arc(raw[9:-1])
    except ValueError:
        return False


def mutate(raw: bytes, at: int, byte: int) -> bytes:
    at %= len(raw)
    return raw[:at] + bytes([byte]) + raw[at + 1:]


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.binary(max_size=300),
                 st.builds(mutate, st.sampled_from([BURGLARY, SIA, NULL, ENCRYPTED]), st.integers(0, 300),
                           st.integers(0, 255))),
       st.booleans(), st.sampled_from([None, KEY]))
def test_fuzz_parser_never_raises_and_never_acks_a_bad_frame(raw, known, key):
    result = outcome(raw, known=known, key=key)
    assert result.verdict in set(dc09.Verdict)
    if result.verdict == dc09.Verdict.ACK:
        assert _checks_pass(raw) and known
        if raw[10:11] == b"*":
            assert key is not None
        stored = [result.message.data, *result.message.extra]
        assert all(text.isprintable() for text in stored)  # what reaches the database is printable
    if not _checks_pass(raw):
        assert result.verdict == dc09.Verdict.SILENCE and result.reply == b""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=40), st.sampled_from([BURGLARY, SIA, NULL, ENCRYPTED])), max_size=8),
       st.lists(st.integers(1, 64), min_size=1, max_size=20))
def test_fuzz_framer_never_raises_and_yields_only_checked_frames_intact(chunks, cuts):
    stream = b"".join(chunks)
    framer = dc09.Framer(max_span=256)
    frames, pos, i = [], 0, 0
    while pos < len(stream):
        size = cuts[i % len(cuts)]
        frames += framer.feed(stream[pos:pos + size])
        pos, i = pos + size, i + 1
    assert len(framer.buffer) <= 256 + dc09.HEAD + 1
    for raw in frames:
        assert raw[:1] == b"\n" and raw[-1:] == b"\r" and int(raw[5:9], 16) == len(raw) - 10
        result = outcome(raw)
        assert result.verdict != dc09.Verdict.ACK or _checks_pass(raw)
    # every valid vector that was sent whole, with no garbage glued in front of its LF, comes out
    clean = [c for c in chunks if c in (BURGLARY, SIA, NULL, ENCRYPTED)]
    if all(c in (BURGLARY, SIA, NULL, ENCRYPTED) for c in chunks):
        assert frames == clean
