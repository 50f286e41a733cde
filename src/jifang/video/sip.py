"""A small strict SIP (RFC 3261) message parser and serializer: what a GB/T 28181 lower-level
platform needs (REGISTER, MESSAGE, their responses), nothing more.

Strict means: one start line, CRLF (or bare LF) separated headers `Name: value`, a blank line, then
exactly Content-Length bytes of body. Anything else raises SipError carrying the status a request
deserves (400, 413, 505); the caller answers it when it can build a response, and stays silent
otherwise (a response, or garbage without the headers a response must echo). Sizes are bounded so
that no datagram or stream can make the parser hold more than MAX_MESSAGE bytes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_MESSAGE = 65_535          # a UDP datagram's ceiling; TCP frames are held to the same size
MAX_HEADERS = 100
MAX_HEADER_LINE = 8_192
VERSION = "SIP/2.0"

# RFC 3261 7.3.3 compact forms.
COMPACT = {"v": "Via", "f": "From", "t": "To", "i": "Call-ID", "m": "Contact", "l": "Content-Length",
           "c": "Content-Type", "s": "Subject", "k": "Supported", "e": "Content-Encoding"}
_TOKEN = re.compile(r"^[A-Za-z0-9\-.!%*_+`'~]+$")
_STATUS_LINE = re.compile(r"^SIP/2\.0 ([1-6][0-9]{2}) (.*)$")
_REQUEST_LINE = re.compile(r"^([A-Za-z]+) (\S+) (SIP/\d\.\d)$")

REASONS = {100: "Trying", 200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 405: "Method Not Allowed", 413: "Request Entity Too Large",
           415: "Unsupported Media Type", 423: "Interval Too Brief", 481: "Call/Transaction Does Not Exist",
           486: "Busy Here", 500: "Server Internal Error", 501: "Not Implemented", 503: "Service Unavailable",
           505: "Version Not Supported"}


class SipError(Exception):
    """A message that cannot be accepted; `status` is the response a request deserves."""

    def __init__(self, status: int, reason: str):
        super().__init__(f"{status} {reason}")
        self.status = status
        self.reason = reason


class Incomplete(Exception):
    """A stream holds only part of a message so far (TCP framing)."""


def _canonical(name: str) -> str:
    return COMPACT.get(name.lower(), name) if len(name) == 1 else name


@dataclass
class Message:
    method: str = ""              # requests only
    uri: str = ""
    status: int = 0               # responses only
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return bool(self.method)

    def get(self, name: str, default: str | None = None) -> str | None:
        wanted = _canonical(name).lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        wanted = _canonical(name).lower()
        return [value for key, value in self.headers if key.lower() == wanted]

    def set(self, name: str, value: str) -> None:
        name = _canonical(name)
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))

    def cseq(self) -> tuple[int, str]:
        number, _, method = (self.get("CSeq") or "").partition(" ")
        return int(number), method.strip()

    def to_bytes(self) -> bytes:
        start = (f"{self.method} {self.uri} {VERSION}" if self.is_request
                 else f"{VERSION} {self.status} {self.reason or REASONS.get(self.status, 'Unknown')}")
        lines = [start]
        lines += [f"{k}: {v}" for k, v in self.headers if k.lower() != "content-length"]
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


_BLANK_LINE = re.compile(rb"\r?\n\r?\n")


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    end = data.find(b"\r\n\r\n", 0, MAX_MESSAGE + 4)     # the usual CRLF form, found without the regex
    if end > 0 and data[end - 1] != 10 and b"\n\n" not in data[:end] and b"\n\r\n" not in data[:end]:
        return data[:end], data[end + 4:]
    match = _BLANK_LINE.search(data, 0, MAX_MESSAGE + 4)
    if match is None:
        raise Incomplete()
    return data[:match.start()], data[match.end():]


def _header_lines(head: str) -> list[str]:
    lines: list[str] = []
    for raw in head.replace("\r\n", "\n").split("\n")[1:]:
        if len(raw) > MAX_HEADER_LINE:
            raise SipError(400, "Header Too Long")
        if raw[:1] in (" ", "\t"):            # an obsolete folded continuation line
            if not lines:
                raise SipError(400, "Bad Header")
            lines[-1] += " " + raw.strip()
        else:
            lines.append(raw)
    if len(lines) > MAX_HEADERS:
        raise SipError(400, "Too Many Headers")
    return lines


def _parse_headers(lines: list[str]) -> list[tuple[str, str]]:
    headers = []
    for line in lines:
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not _TOKEN.match(name):
            raise SipError(400, "Bad Header")
        headers.append((_canonical(name), value.strip()))
    return headers


def _start(line: str, message: Message) -> None:
    status = _STATUS_LINE.match(line)
    if status:
        message.status, message.reason = int(status.group(1)), status.group(2)
        return
    request = _REQUEST_LINE.match(line)
    if not request:
        raise SipError(400, "Bad Request Line")
    if request.group(3) != VERSION:
        raise SipError(505, "Version Not Supported")
    if not _TOKEN.match(request.group(1)) or ":" not in request.group(2):
        raise SipError(400, "Bad Request Line")
    message.method, message.uri = request.group(1).upper(), request.group(2)


def _content_length(message: Message, *, required: bool) -> int | None:
    values = message.get_all("Content-Length")
    if not values:
        if required:
            raise SipError(400, "Content-Length Required")
        return None
    if len(set(values)) > 1 or not values[0].isdigit() or len(values[0]) > 6:
        raise SipError(400, "Bad Content-Length")
    length = int(values[0])
    if length > MAX_MESSAGE:
        raise SipError(413, "Request Entity Too Large")
    return length


_MANDATORY = ("Via", "From", "To", "Call-ID", "CSeq")


def _check_mandatory(message: Message) -> None:
    for name in _MANDATORY:
        if message.get(name) is None:
            raise SipError(400, f"Missing {name}")
    try:
        number, method = message.cseq()
    except ValueError:
        raise SipError(400, "Bad CSeq") from None
    if not (0 <= number < 2**31) or not method or (message.is_request and method != message.method):
        raise SipError(400, "Bad CSeq")


def parse_head(head_bytes: bytes, *, lenient: bool = False) -> Message:
    """The start line and headers. `lenient` accepts any `METHOD uri version` start line (to answer
    a request its error, e.g. 505 for another SIP version)."""
    try:
        head = head_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise SipError(400, "Header Not UTF-8") from None
    first, _, _ = head.partition("\n")
    message = Message()
    try:
        _start(first.rstrip("\r"), message)
    except SipError:
        parts = first.split()
        if not lenient or len(parts) != 3 or not _TOKEN.match(parts[0]) or parts[0].upper() == "SIP/2.0":
            raise
        message.method, message.uri = parts[0].upper(), parts[1]
    message.headers = _parse_headers(_header_lines(head))
    return message


def parse(data: bytes, *, stream: bool = False) -> tuple[Message, int]:
    """Parse one message from the front of `data`; returns it and the bytes it used.

    A datagram (stream=False) may omit Content-Length (the body is the rest); on a stream it is
    required. Raises Incomplete when a stream has not yet delivered the whole message."""
    if len(data) > MAX_MESSAGE and not stream:
        raise SipError(413, "Message Too Large")
    data_start = len(data) - len(data.lstrip(b"\r\n"))   # keep-alive CRLFs between messages
    try:
        head_bytes, rest = _split_head(data[data_start:])
    except Incomplete:
        if len(data) - data_start > MAX_MESSAGE:
            raise SipError(413, "Message Too Large") from None
        if not stream:
            raise SipError(400, "No End Of Headers") from None
        raise
    message = parse_head(head_bytes)
    length = _content_length(message, required=stream)
    if length is None:
        length = len(rest)
    if len(rest) < length:
        if stream:
            if len(head_bytes) + length > MAX_MESSAGE:
                raise SipError(413, "Message Too Large")
            raise Incomplete()
        raise SipError(400, "Body Shorter Than Content-Length")
    if len(head_bytes) + length > MAX_MESSAGE:
        raise SipError(413, "Message Too Large")
    message.body = rest[:length]
    _check_mandatory(message)
    used = len(data) - len(rest) + length
    return message, used


def parse_datagram(data: bytes) -> Message:
    message, used = parse(data)
    if data[used:].strip(b"\r\n"):
        raise SipError(400, "Trailing Data")
    return message


def respondable(data: bytes) -> Message | None:
    """The headers of a request too broken to parse fully, when they are enough to answer it with
    its error (a response must echo Via, From, To, Call-ID and CSeq); None means stay silent."""
    try:
        head_bytes, _ = _split_head(data[:MAX_MESSAGE])
        message = parse_head(head_bytes, lenient=True)
        _check_mandatory(message)
    except (SipError, Incomplete, ValueError):
        return None
    return message if message.is_request else None


class StreamBuffer:
    """Frames a TCP byte stream into messages; never holds more than one message's bound."""

    def __init__(self):
        self.data = b""

    def feed(self, chunk: bytes) -> list[Message]:
        self.data += chunk
        out = []
        while self.data.strip(b"\r\n"):
            try:
                message, used = parse(self.data, stream=True)
            except Incomplete:
                break
            self.data = self.data[used:]
            out.append(message)
        if not self.data.strip(b"\r\n"):
            self.data = b""
        return out


# --- building messages -----------------------------------------------------------------------

def header_param(value: str, name: str) -> str | None:
    """`tag` of `<sip:x@y>;tag=abc`, `branch` of a Via; None when absent."""
    for part in value.split(";")[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == name.lower():
            return val.strip()
    return None


def uri_user(value: str) -> str:
    """The user part of a From/To/Contact value or a request URI: `34020000001320000001`."""
    match = re.search(r"sips?:([^@;>\s]+)@", value)
    return match.group(1) if match else ""


def uri_host(value: str) -> str:
    """The host part after the user: `3402000000` of `<sip:34020000001320000001@3402000000>`."""
    match = re.search(r"sips?:[^@;>\s]+@([^;>\s:]+)", value)
    return match.group(1) if match else ""


_ECHOED = {"via": "Via", "from": "From", "to": "To", "call-id": "Call-ID", "cseq": "CSeq"}


def response(request: Message, status: int, reason: str = "", *, to_tag: str = "",
             headers: list[tuple[str, str]] = (), body: bytes = b"") -> Message:
    out = Message(status=status, reason=reason or REASONS.get(status, ""))
    for name, value in request.headers:        # one pass: the request's order (Via's above all) kept
        name = _ECHOED.get(name.lower())
        if name is not None:
            if to_tag and name == "To" and header_param(value, "tag") is None:
                value = f"{value};tag={to_tag}"
            out.headers.append((name, value))
    out.headers.extend(headers)
    out.body = body
    return out
