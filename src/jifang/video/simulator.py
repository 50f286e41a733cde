"""A simulated GB/T 28181 device (an NVR with cameras) for newcomers, demos and benchmarks:
`jifang video simulate`. It registers with digest authentication, keeps alive, and answers the
platform's Catalog, DeviceStatus and RecordInfo queries like a recorder that keeps `retention_days`
days of recordings. It speaks UDP and uses the same SIP and MANSCDP code as the gateway.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import secrets as random_tokens
from dataclasses import dataclass, field

from django.utils import timezone

from . import digest, manscdp, sip
from .gateway import local_text, parse_local


@dataclass
class DeviceSpec:
    gb28181_id: str
    password: str
    channels: list[tuple[str, str]] = field(default_factory=list)     # (GB/T 28181 ID, name)
    retention_days: int = 90
    expires: int = 3600
    keepalive: float = 60.0


class SimulatedDevice(asyncio.DatagramProtocol):
    def __init__(self, spec: DeviceSpec, gateway: tuple[str, int], realm: str, platform_id: str, log=print):
        self.spec, self.gateway, self.realm, self.platform_id, self.log = spec, gateway, realm, platform_id, log
        self.transport: asyncio.DatagramTransport | None = None
        self.waiting: dict[str, asyncio.Future] = {}
        self.cseq = 0
        self.call_id = f"{random_tokens.token_hex(8)}@sim"
        self.tag = random_tokens.token_hex(4)
        self.keepalives_sent = 0
        self.queries_answered: list[str] = []

    # --- transport ---

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        try:
            message = sip.parse_datagram(data)
        except sip.SipError:
            return
        if message.is_request:
            asyncio.get_running_loop().create_task(self._answer(message))
            return
        future = self.waiting.pop(message.get("Call-ID", "") + "|" + str(message.cseq()[0]), None)
        if future is not None and not future.done() and message.status >= 200:
            future.set_result(message)

    @property
    def local(self) -> str:
        host, port = self.transport.get_extra_info("sockname")[:2]
        return f"{host}:{port}"

    def _request(self, method: str, *, call_id: str, headers=(), body: bytes = b"") -> sip.Message:
        self.cseq += 1
        me = f"<sip:{self.spec.gb28181_id}@{self.realm}>"
        request = sip.Message(method=method, uri=f"sip:{self.platform_id}@{self.realm}", body=body)
        request.headers = [
            ("Via", f"SIP/2.0/UDP {self.local};rport;branch=z9hG4bK{random_tokens.token_hex(8)}"),
            ("From", f"{me};tag={self.tag}"),
            ("To", me if method == "REGISTER" else f"<sip:{self.platform_id}@{self.realm}>"),
            ("Call-ID", call_id), ("CSeq", f"{self.cseq} {method}"), ("Max-Forwards", "70"),
            ("User-Agent", "Jifang-simulator"), *headers]
        return request

    async def send(self, request: sip.Message, timeout: float = 5.0) -> sip.Message | None:
        key = request.get("Call-ID") + "|" + str(request.cseq()[0])
        future = asyncio.get_running_loop().create_future()
        self.waiting[key] = future
        for attempt in range(3):
            self.transport.sendto(request.to_bytes(), self.gateway)
            try:
                return await asyncio.wait_for(asyncio.shield(future), timeout / 3)
            except TimeoutError:
                continue
        self.waiting.pop(key, None)
        return None

    # --- device behaviour ---

    async def register(self, expires: int | None = None) -> int:
        """REGISTER with digest; returns the final status (0 when nothing answered)."""
        expires = self.spec.expires if expires is None else expires
        headers = [("Contact", f"<sip:{self.spec.gb28181_id}@{self.local}>"), ("Expires", str(expires))]
        answer = await self.send(self._request("REGISTER", call_id=self.call_id, headers=headers))
        if answer is None:
            return 0
        if answer.status == 401:
            challenge = digest.parse_authorization(answer.get("WWW-Authenticate"))
            uri = f"sip:{self.platform_id}@{self.realm}"
            cnonce, nc = random_tokens.token_hex(4), "00000001"
            qop = "auth" if challenge and "auth" in challenge.get("qop", "") else ""
            response = digest.response(username=self.spec.gb28181_id, realm=challenge.get("realm", self.realm),
                                       password=self.spec.password, method="REGISTER", uri=uri,
                                       nonce=challenge.get("nonce", ""), qop=qop, nc=nc, cnonce=cnonce)
            auth = (f'Digest username="{self.spec.gb28181_id}", realm="{challenge.get("realm", self.realm)}", '
                    f'nonce="{challenge.get("nonce", "")}", uri="{uri}", response="{response}", algorithm=MD5')
            if qop:
                auth += f', qop=auth, nc={nc}, cnonce="{cnonce}"'
            answer = await self.send(self._request("REGISTER", call_id=self.call_id,
                                                   headers=[*headers, ("Authorization", auth)]))
        return answer.status if answer else 0

    async def keepalive(self) -> int:
        self.keepalives_sent += 1
        body = manscdp.build("Notify", "Keepalive", self.keepalives_sent, self.spec.gb28181_id, Status="OK")
        answer = await self.send(self._message(body))
        return answer.status if answer else 0

    def _message(self, body: bytes) -> sip.Message:
        return self._request("MESSAGE", call_id=f"{random_tokens.token_hex(8)}@sim",
                             headers=[("Content-Type", "Application/MANSCDP+xml")], body=body)

    async def _answer(self, request: sip.Message) -> None:
        self.transport.sendto(sip.response(request, 200, to_tag=random_tokens.token_hex(4)).to_bytes(), self.gateway)
        if request.method != "MESSAGE":
            return
        try:
            query = manscdp.parse(request.body)
        except manscdp.XmlError:
            return
        self.queries_answered.append(query.cmd_type)
        for body in self._replies(query):
            await self.send(self._message(body))

    def _replies(self, query: manscdp.Manscdp) -> list[bytes]:
        me = self.spec.gb28181_id
        if query.cmd_type == "Catalog":
            # one channel per MESSAGE, as many recorders do, aggregated by the platform up to SumNum
            total = len(self.spec.channels)
            return [_catalog(query.sn, me, total, gb_id, name) for gb_id, name in self.spec.channels] or \
                [manscdp.build("Response", "Catalog", query.sn, me, SumNum="0")]
        if query.cmd_type == "DeviceStatus":
            return [manscdp.build("Response", "DeviceStatus", query.sn, me, Result="OK", Online="ONLINE", Status="OK",
                                  Encode="ON", Record="ON", DeviceTime=local_text(timezone.now()))]
        if query.cmd_type == "RecordInfo":
            return [self._records(query)]
        return []

    def _records(self, query: manscdp.Manscdp) -> bytes:
        start, end = parse_local(query.fields.get("StartTime", "")), parse_local(query.fields.get("EndTime", ""))
        oldest = timezone.now() - dt.timedelta(days=self.spec.retention_days)
        if start is None or end is None or end < oldest:
            return _record_list(query.sn, query.device_id, [])
        return _record_list(query.sn, query.device_id, [(max(start, oldest), end)])

    async def run(self, duration: float | None = None) -> None:
        status = await self.register()
        self.log(f"REGISTER -> {status or 'no answer'}")
        if status != 200:
            return
        loop = asyncio.get_running_loop()
        until = None if duration is None else loop.time() + duration
        while until is None or loop.time() < until:
            await asyncio.sleep(self.spec.keepalive if until is None else min(self.spec.keepalive, until - loop.time()))
            if until is not None and loop.time() >= until:
                break
            self.log(f"keepalive -> {await self.keepalive() or 'no answer'}")


def _catalog(sn: int, device_id: str, total: int, gb_id: str, name: str) -> bytes:
    item = (f"<Item><DeviceID>{gb_id}</DeviceID><Name>{name}</Name><Manufacturer>Jifang</Manufacturer>"
            f"<Model>SIM-IPC</Model><Parental>0</Parental><ParentID>{device_id}</ParentID><Status>ON</Status></Item>")
    text = (f'<?xml version="1.0" encoding="GB2312"?>\r\n<Response>\r\n<CmdType>Catalog</CmdType>\r\n<SN>{sn}</SN>\r\n'
            f"<DeviceID>{device_id}</DeviceID>\r\n<SumNum>{total}</SumNum>\r\n<DeviceList Num=\"1\">{item}</DeviceList>\r\n"
            "</Response>\r\n")
    return text.encode("gb18030")


def _record_list(sn: int, channel: str, spans: list) -> bytes:
    items = "".join(f"<Item><DeviceID>{channel}</DeviceID><StartTime>{local_text(a)}</StartTime>"
                    f"<EndTime>{local_text(b)}</EndTime><Secrecy>0</Secrecy><Type>time</Type></Item>" for a, b in spans)
    text = (f'<?xml version="1.0" encoding="GB2312"?>\r\n<Response>\r\n<CmdType>RecordInfo</CmdType>\r\n<SN>{sn}</SN>\r\n'
            f"<DeviceID>{channel}</DeviceID>\r\n<SumNum>{len(spans)}</SumNum>\r\n<RecordList Num=\"{len(spans)}\">"
            f"{items}</RecordList>\r\n</Response>\r\n")
    return text.encode("gb18030")


async def simulate(spec: DeviceSpec, gateway: tuple[str, int], *, realm: str, platform_id: str,
                   duration: float | None = None, log=print) -> SimulatedDevice:
    loop = asyncio.get_running_loop()
    transport, device = await loop.create_datagram_endpoint(
        lambda: SimulatedDevice(spec, gateway, realm, platform_id, log), local_addr=("127.0.0.1", 0))
    try:
        await device.run(duration)
        await asyncio.sleep(0.2)        # let the last answers leave
    finally:
        transport.close()
    return device
