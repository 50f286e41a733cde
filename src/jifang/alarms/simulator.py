"""A panel simulator for tests, `jifang alarm send` and the benchmark: builds DC-09 frames like a
panel (sequence numbers 0001-9999, optional AES key), sends them over TCP or UDP, checks each
reply's CRC and length and records which messages the centre ACKed."""
import datetime as dt
import socket
import time
from dataclasses import dataclass, field

from . import dc09


@dataclass
class SimPanel:
    account: str
    key: bytes | None = None
    seq: int = 0
    acked: list = field(default_factory=list)  # (account, seq, data) in ACK order

    def frame(self, token: str, data: str, *, seq: int | None = None) -> tuple[int, bytes]:
        if seq is None:
            self.seq = self.seq % 9999 + 1
            seq = self.seq
        raw = dc09.message(token, seq, self.account, data, key=self.key, now=dt.datetime.now(dt.UTC))
        return seq, raw


def reply_kind(reply: bytes) -> str:
    """"ACK", "NAK", "DUH" ... of a checked reply, "" when it fails its CRC or length."""
    if len(reply) < 11 or reply[:1] != b"\n" or reply[-1:] != b"\r":
        return ""
    span = reply[9:-1]
    try:
        if int(reply[5:9], 16) != len(span) or int(reply[1:5], 16) != dc09.crc16_arc(span):
            return ""
    except ValueError:
        return ""
    return span[1:span.index(b'"', 1)].lstrip(b"*").decode("ascii", "replace")


class TcpLink:
    """One TCP connection of a panel (persistent, like a panel's supervised link)."""

    def __init__(self, host: str, port: int, timeout: float = 5.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""

    def exchange(self, raw: bytes) -> bytes:
        self.sock.sendall(raw)
        while b"\r" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("the receiver closed the connection")
            self.buffer += chunk
        reply, _, self.buffer = self.buffer.partition(b"\r")
        return reply + b"\r"

    def close(self) -> None:
        self.sock.close()


class UdpLink:
    def __init__(self, host: str, port: int, timeout: float = 5.0):
        self.address = (host, port)
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(timeout)

    def exchange(self, raw: bytes) -> bytes:
        self.sock.sendto(raw, self.address)
        return self.sock.recv(4096)

    def close(self) -> None:
        self.sock.close()


def send(link, panel: SimPanel, token: str, data: str) -> tuple[str, float]:
    """Send one message and return (reply kind, seconds to the reply); an ACK is recorded."""
    seq, raw = panel.frame(token, data)
    started = time.perf_counter()
    kind = reply_kind(link.exchange(raw))
    if kind == "ACK":
        panel.acked.append((panel.account, f"{seq:04d}", data))
    return kind, time.perf_counter() - started
