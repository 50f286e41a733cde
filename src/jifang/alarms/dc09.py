"""SIA DC-09 on the wire: CRC-16/ARC, framing, the optional AES layer, and the receiver's replies.

Pure functions over bytes (no Django, no sockets) so the protocol is tested on its own; facts and
vectors: ../shared/design/protocols.md. The receiver (receiver.py) decides in two steps because the
account's key comes from the database:

    frame = read_frame(raw)            # CRC, length, header; a Rejected means silence or DUH
    outcome = decode(frame, known=..., key=..., now=...)   # NAK, DUH, or a Message to store then ACK

Decisions where the standard leaves room (docs/alarm-centre.md, "Protocol conformance"):
- hex digits in CRC, length, receiver, line and the encrypted body are accepted in either case;
- the timestamp window applies to encrypted messages (where the timestamp is mandatory and guards
  against replays); a plain message's timestamp is kept but never makes the centre refuse an alarm;
- the OPAX two-byte binary CRC is not accepted (silence, like any bad CRC): its raw bytes may be CR or
  LF and would make the stream ambiguous.
"""
import datetime as dt
import enum
import re
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

LF, CR = b"\n", b"\r"
HEAD = 9  # LF + CRC(4) + LLLL(4)
MAX_SPAN = 1024  # longest CRC span accepted (encrypted Contact ID with extended data is ~200 bytes)
WINDOW = (dt.timedelta(seconds=-40), dt.timedelta(seconds=20))
TOKENS = frozenset({"ADM-CID", "SIA-DCS", "NULL"})
KEY_SIZES = frozenset({16, 24, 32})


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc_table()


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC (poly 0x8005 reflected, init 0, no final xor): crc16_arc(b"123456789") == 0xBB3D."""
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ byte) & 0xFF]
    return crc


def frame(span: bytes) -> bytes:
    """LF + CRC + length + span + CR."""
    return b"\n%04X%04X%s\r" % (crc16_arc(span), len(span), span)


class Verdict(enum.StrEnum):
    ACK = "ACK"  # store, then send the ACK
    NAK = "NAK"
    DUH = "DUH"
    SILENCE = "silence"


_HEX = re.compile(rb"[0-9A-Fa-f]{4}")
_HEADER = re.compile(
    rb'"(?P<star>\*?)(?P<token>[A-Z0-9-]{1,16})"(?P<seq>\d{4})(?:R(?P<rcv>[0-9A-Fa-f]{1,6}))?'
    rb"(?:L(?P<line>[0-9A-Fa-f]{1,6}))?#(?P<acct>[0-9A-Za-z]{3,16})\[")
_TAIL = re.compile(r"(?P<extra>(?:\[[^\[\]]*\])*)(?:_(?P<ts>\d\d:\d\d:\d\d,\d\d-\d\d-\d{4}))?")
_PLAIN = re.compile(r"(?P<data>[^\[\]]*)\](?P<tail>.*)", re.S)


@dataclass(frozen=True)
class Frame:
    """A frame whose CRC and length are right and whose header parsed."""

    raw: bytes
    token: str
    encrypted: bool
    seq: str
    receiver: str | None
    line: str | None
    account: str
    body: bytes  # after the '[' that opens the data


@dataclass(frozen=True)
class Rejected:
    verdict: Verdict  # SILENCE or DUH
    reply: bytes
    reason: str


@dataclass(frozen=True)
class Message:
    """A message to store: the frame plus its (decrypted) data, extended data and timestamp."""

    frame: Frame
    data: str  # "#1234|1130 01 003", "" for a link test
    extra: tuple[str, ...]
    timestamp: dt.datetime | None


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    reply: bytes  # the NAK/DUH to send now; for ACK build it with ack() once the message is stored
    message: Message | None = None
    reason: str = ""


def read_frame(raw: bytes) -> Frame | Rejected:
    """Check one complete frame (LF ... CR): bad CRC or length is silence, a header we cannot read DUH."""
    if len(raw) < HEAD + 2 or raw[:1] != LF or raw[-1:] != CR:
        return Rejected(Verdict.SILENCE, b"", "not a frame")
    crc, length, span = raw[1:5], raw[5:9], raw[9:-1]
    if not (_HEX.fullmatch(crc) and _HEX.fullmatch(length)):
        return Rejected(Verdict.SILENCE, b"", "CRC or length is not hex")
    if int(length, 16) != len(span):
        return Rejected(Verdict.SILENCE, b"", "bad length")
    if int(crc, 16) != crc16_arc(span):
        return Rejected(Verdict.SILENCE, b"", "bad CRC")
    head = _HEADER.match(span)
    if head is None:
        return Rejected(Verdict.DUH, duh(None), "unreadable header")
    token, seq = head["token"].decode(), head["seq"].decode()
    parsed = Frame(raw=raw, token=token, encrypted=bool(head["star"]), seq=seq,
                   receiver=head["rcv"] and head["rcv"].decode(), line=head["line"] and head["line"].decode(),
                   account=head["acct"].decode(), body=span[head.end():])
    if token not in TOKENS:
        return Rejected(Verdict.DUH, duh(parsed), f"unsupported message type {token}")
    if seq == "0000" or parsed.line is None:
        return Rejected(Verdict.DUH, duh(parsed), "sequence 0000 or no line number")
    return parsed


def decode(parsed: Frame, *, known: bool, key: bytes | None, now: dt.datetime,
           window: tuple[dt.timedelta, dt.timedelta] = WINDOW) -> Outcome:
    """What to answer to a well-framed message from an account the centre knows (or not)."""
    if not known:
        return Outcome(Verdict.NAK, nak(now), reason="unknown account")
    if parsed.encrypted:
        if key is None:
            return Outcome(Verdict.NAK, nak(now), reason="encrypted message for an account without a key")
        text = _decrypt_body(parsed.body, key)
        if text is None:
            return Outcome(Verdict.NAK, nak(now), reason="cannot decrypt")
    else:
        try:
            text = parsed.body.decode("ascii")
        except UnicodeDecodeError:
            return Outcome(Verdict.DUH, duh(parsed), reason="not ASCII")
    parts = _split(text)
    if parts is None:
        verdict = Verdict.NAK if parsed.encrypted else Verdict.DUH
        return Outcome(verdict, nak(now) if parsed.encrypted else duh(parsed), reason="malformed data")
    data, extra, timestamp = parts
    if parsed.encrypted:
        if timestamp is None or not (now + window[0] <= timestamp <= now + window[1]):
            return Outcome(Verdict.NAK, nak(now), reason="timestamp missing or outside the window")
    if (parsed.token == "NULL") != (data == ""):
        return Outcome(Verdict.DUH, duh(parsed), reason="data does not fit the message type")
    return Outcome(Verdict.ACK, b"", Message(parsed, data, extra, timestamp))


def _decrypt_body(body: bytes, key: bytes) -> str | None:
    """The plaintext after the pad and its '|', or None when it is not a valid encrypted body."""
    try:
        cipher = bytes.fromhex(body.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not cipher or len(cipher) % 16 or len(key) not in KEY_SIZES:
        return None
    dec = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).decryptor()
    plain = dec.update(cipher) + dec.finalize()
    _pad, bar, rest = plain.partition(b"|")
    if not bar or b"[" in _pad or b"]" in _pad:
        return None
    try:
        return rest.decode("ascii")
    except UnicodeDecodeError:
        return None


def _split(text: str) -> tuple[str, tuple[str, ...], dt.datetime | None] | None:
    """data ']' [xdata]... [_timestamp] -> (data, extra blocks, UTC timestamp); None if malformed.
    DC-09 text is printable ASCII: a control character (NUL above all, which no PostgreSQL text
    column can hold) makes the message malformed, answered at once rather than failing its batch."""
    if not text.isprintable():
        return None
    plain = _PLAIN.fullmatch(text)
    if plain is None:
        return None
    tail = _TAIL.fullmatch(plain["tail"])
    if tail is None:
        return None
    timestamp = None
    if tail["ts"]:
        ts = tail["ts"]  # HH:MM:SS,MM-DD-YYYY, shape checked by _TAIL (strptime costs ~100 µs a message)
        try:
            timestamp = dt.datetime(int(ts[15:19]), int(ts[9:11]), int(ts[12:14]), int(ts[0:2]), int(ts[3:5]),
                                    int(ts[6:8]), tzinfo=dt.UTC)
        except ValueError:
            return None
    extra = tuple(block[1:] for block in re.findall(r"\[[^\[\]]*\]", tail["extra"]))
    return plain["data"], extra, timestamp


# --- replies ---------------------------------------------------------------------------------------

def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("_%H:%M:%S,%m-%d-%Y")


def _route(parsed: Frame) -> bytes:
    receiver = b"R" + parsed.receiver.encode() if parsed.receiver is not None else b""
    line = b"L" + parsed.line.encode() if parsed.line is not None else b""
    return b"%s%s%s#%s[" % (parsed.seq.encode(), receiver, line, parsed.account.encode())


def ack(parsed: Frame, now: dt.datetime, key: bytes | None = None) -> bytes:
    """ACK echoing seq, R, L and account; for an encrypted message *ACK with an encrypted body
    (pad | ] timestamp), which panels decrypt to read the centre's clock."""
    if not parsed.encrypted:
        return frame(b'"ACK"' + _route(parsed) + b"]")
    return frame(b'"*ACK"' + _route(parsed) + encrypt(key, "|]" + stamp(now)).encode())


def nak(now: dt.datetime) -> bytes:
    """NAK with the receiver's UTC time, so a panel can correct its clock and resend."""
    return frame(b'"NAK"0000R0L0A0[]' + stamp(now).encode())


def duh(parsed: Frame | None) -> bytes:
    """Received but cannot be processed: echo what we could read of the header."""
    if parsed is None:
        return frame(b'"DUH"0000R0L0A0[]')
    return frame(b'"DUH"' + _route(parsed) + b"]")


_PAD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def encrypt(key: bytes, text: str) -> str:
    """AES-CBC, zero IV, no PKCS#7: random pad (no '[', ']', '|') in front to a multiple of 16; upper hex."""
    body = text.encode("ascii")
    pad = bytes(_PAD[b % len(_PAD)] for b in secrets.token_bytes(16 - len(body) % 16 or 16))
    enc = Cipher(algorithms.AES(key), modes.CBC(bytes(16))).encryptor()
    return (enc.update(pad + body) + enc.finalize()).hex().upper()


def message(token: str, seq: int, account: str, data: str = "", *, receiver: str | None = "1", line: str = "1",
            key: bytes | None = None, now: dt.datetime | None = None, extra: str = "") -> bytes:
    """Build a panel's frame (the simulator, `jifang alarm send`, tests). Encrypted messages carry
    the timestamp inside; plain ones carry it when `now` is given."""
    route = (f"{seq:04d}" + (f"R{receiver}" if receiver is not None else "") + f"L{line}#{account}[").encode()
    ts = stamp(now) if now is not None else ""
    if key is None:
        span = f'"{token}"'.encode() + route + f"{data}]{extra}{ts}".encode()
    else:
        ts = stamp(now or dt.datetime.now(dt.UTC))
        span = f'"*{token}"'.encode() + route + encrypt(key, f"|{data}]{extra}{ts}").encode()
    return frame(span)


# --- the TCP stream --------------------------------------------------------------------------------

class Framer:
    """Cuts a TCP byte stream into frames by their declared length: several frames in one read and
    one frame across reads both work. Garbage before an LF, a length that is not hex or too long,
    and a frame whose byte after the declared span is not CR are dropped (the panel retries), and
    the search resumes at the next LF. The buffer never holds more than one frame's worth."""

    def __init__(self, max_span: int = MAX_SPAN):
        self.max_span = max_span
        self.buffer = bytearray()
        self.dropped = 0

    @property
    def pending(self) -> bool:
        """A frame has started but not yet ended (for the slow-read timeout)."""
        return bool(self.buffer)

    def feed(self, data: bytes) -> list[bytes]:
        self.buffer += data
        frames = []
        while True:
            start = self.buffer.find(LF)
            if start < 0:
                self._drop(len(self.buffer))
                return frames
            self._drop(start)
            if len(self.buffer) < HEAD:
                return frames
            length = bytes(self.buffer[5:9])
            if not _HEX.fullmatch(length) or int(length, 16) > self.max_span:
                self._drop(1)
                continue
            end = HEAD + int(length, 16)
            if len(self.buffer) <= end:
                return frames
            if self.buffer[end:end + 1] != CR:
                self._drop(1)
                continue
            frames.append(bytes(self.buffer[:end + 1]))
            del self.buffer[:end + 1]

    def _drop(self, count: int) -> None:
        if count:
            self.dropped += count
            del self.buffer[:count]
