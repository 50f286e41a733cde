"""The GB/T 28181 gateway: an asyncio SIP registrar and MANSCDP client over UDP and TCP.

One event loop reads and answers; every database call runs in one worker thread (Django's ORM is
synchronous), in order. Keepalives are answered at once and persisted in batches. Shared state (who
is online) lives in the database, so several gateway processes can serve one city (services.py).

Per device, after a fresh registration: a Catalog query (aggregated until SumNum or a timeout),
a DeviceStatus query, then one RecordInfo query per registry-linked channel for a short window at
now minus the rule pack's retention minimum: the retention proof.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import secrets as random_tokens
import socket
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from . import digest, manscdp, services, sip

log = logging.getLogger("jifang.video.gateway")
LOCAL = ZoneInfo("Asia/Shanghai")       # GB/T 28181 times are local times without a zone
MAX_EXPIRES = 86_400
MAX_TCP_CONNECTIONS = 20_000
MAX_TCP_PER_SOURCE = 64
MAX_SOURCES_TRACKED = 50_000
MAX_TASKS = 50_000            # messages being handled at once; beyond it datagrams are dropped


_TOKENS = random.Random(random_tokens.randbits(64))


def _token(bits: int) -> str:
    """Tags, branches and Call-IDs only need to be unique, not secret (os.urandom per reply is slow)."""
    return format(_TOKENS.getrandbits(bits), "x")


def local_text(moment: dt.datetime) -> str:
    return moment.astimezone(LOCAL).strftime("%Y-%m-%dT%H:%M:%S")


def parse_local(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text.strip()[:19])
    except ValueError:
        return None
    return value.replace(tzinfo=LOCAL) if value.tzinfo is None else value


def retention_days(as_of: dt.date) -> int | None:
    """The strictest retention minimum of the rule packs in force (Kunming's `retention_days_min`)."""
    from jifang.regulation.packs import active_packs

    values = []
    for pack in active_packs(as_of):
        try:
            values.append(int(pack.param("retention_days_min", as_of)))
        except (KeyError, LookupError, ValueError, TypeError):
            continue
    return max(values) if values else None


@dataclass
class Config:
    host: str = "127.0.0.1"
    port: int = 5060
    platform_id: str = "53010000002000000001"
    realm: str = "5301000000"
    default_password: str = ""
    keepalive: float = 60.0
    missed: int = 3
    catalog_every: float = 3600.0
    proof_every: float = 86_400.0
    answer_timeout: float = 10.0
    proof_window_minutes: int = 60
    rate: float = 50.0
    burst: int = 200
    node: str = ""
    secret: bytes = b""
    reuse_port: bool = False       # several gateway processes on one port (SO_REUSEPORT), one per core
    sweep: bool = False            # mark silent devices offline itself (standalone, without `jifang scheduler`)
    udp_buffer: int = 4 * 1024 * 1024   # socket buffers: a storm's burst waits in the kernel, not dropped
    unknown_max: int = 10_000      # unknown IDs gathered between two flushes; beyond, new ones go uncounted
    unknown_every: float = 1.0     # seconds between two writes of the unknown IDs' attempts

    @classmethod
    def from_settings(cls, bind: str | None = None, **overrides) -> "Config":
        host, _, port = (bind or settings.JIFANG_SIP_BIND).rpartition(":")
        values = dict(host=host.strip("[]") or "127.0.0.1", port=int(port), platform_id=settings.JIFANG_SIP_ID,
                      realm=settings.JIFANG_SIP_REALM, keepalive=settings.JIFANG_SIP_KEEPALIVE_SECONDS,
                      missed=settings.JIFANG_SIP_KEEPALIVE_MISSED, catalog_every=settings.JIFANG_SIP_CATALOG_SECONDS,
                      proof_every=settings.JIFANG_SIP_PROOF_SECONDS, answer_timeout=settings.JIFANG_SIP_ANSWER_TIMEOUT,
                      rate=settings.JIFANG_SIP_RATE, burst=settings.JIFANG_SIP_BURST,
                      node=f"{socket.gethostname()}:{os.getpid()}", sweep=settings.JIFANG_SIP_SWEEP,
                      secret=(settings.JIFANG_SIGNING_SECRET or settings.SECRET_KEY).encode())
        values.update(overrides)
        return cls(**values)


class RateLimiter:
    """A token bucket per source address; the table of sources is bounded (oldest forgotten)."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self.dropped = 0

    def allow(self, source: str) -> bool:
        now = self.clock()
        tokens, at = self.buckets.pop(source, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        allowed = tokens >= 1.0
        self.buckets[source] = (tokens - 1.0 if allowed else tokens, now)
        if len(self.buckets) > MAX_SOURCES_TRACKED:
            self.buckets.popitem(last=False)
        if not allowed:
            self.dropped += 1
        return allowed


@dataclass
class Peer:
    """Where a device is reached: its UDP source address or its TCP connection."""

    transport: str                    # "UDP" or "TCP"
    address: tuple
    send: object                      # callable(bytes)

    @property
    def label(self) -> str:
        return f"{self.address[0]}:{self.address[1]}"


@dataclass
class Session:
    known: services.Known
    peer: Peer
    expires_at: float                 # monotonic
    realm: str = ""
    interrogated_at: float = 0.0
    proved_at: float | None = None        # monotonic time of the last retention proofs
    busy: bool = False


@dataclass
class Pending:
    """A query waiting for its answer, possibly in several MESSAGEs."""

    cmd_type: str
    items: list = field(default_factory=list)
    sum_num: int | None = None
    fields: dict = field(default_factory=dict)
    done: asyncio.Event = field(default_factory=asyncio.Event)
    answered: bool = False


class Batcher:
    """Collects the calls of one moment and makes them one database call (`function(items=[...])`
    returning one result per item); each caller awaits its own result. This is what lets one
    database thread keep up with thousands of devices."""

    def __init__(self, gateway: "Gateway", function, delay: float = 0.005, limit: int = 2000):
        self.gateway, self.function, self.delay, self.limit = gateway, function, delay, limit
        self.items: list[tuple[object, asyncio.Future]] = []

    async def __call__(self, item):
        future = asyncio.get_running_loop().create_future()
        self.items.append((item, future))
        if len(self.items) == 1:
            self.gateway._spawn(self._flush(self.delay))
        elif len(self.items) >= self.limit:
            self.gateway._spawn(self._flush(0))
        return await asyncio.shield(future)

    async def _flush(self, delay: float) -> None:
        await asyncio.sleep(delay)
        batch, self.items = self.items, []
        if not batch:
            return
        try:
            results = await self.gateway.db(self.function, items=[item for item, _ in batch])
        except Exception as exc:
            log.exception("batched %s failed", getattr(self.function, "__name__", "call"))
            results = [exc] * len(batch)
        for (_, future), result in zip(batch, results):
            if not future.done():
                future.set_exception(result) if isinstance(result, Exception) else future.set_result(result)


INTERROGATIONS = 32       # devices asked (Catalog, DeviceStatus, RecordInfo) at the same time
STORM_QUIET = 0.5         # a REGISTER within this long: registrations are busy, interrogations paced
STORM_PACE = 0.05         # while busy, one more device interrogated per this many seconds (20/s)
KNOWN_TTL = 30.0          # seconds a device's endpoint and password stay cached (password changes: within this)
KNOWN_CACHE_MAX = 500_000


class Gateway:
    def __init__(self, config: Config, *, inline_db: bool = False):
        """inline_db runs the database calls on the loop's own thread (the tests, which share one
        SQLite connection with the gateway and need DJANGO_ALLOW_ASYNC_UNSAFE)."""
        self.config = config
        self.inline_db = inline_db
        self.nonces = digest.NonceBook(config.secret or random_tokens.token_bytes(32))
        self.limiter = RateLimiter(config.rate, config.burst)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jifang-sip-db")
        self.sessions: dict[str, Session] = {}
        self.pending: dict[tuple[str, int], Pending] = {}
        self.keepalives: set[int] = set()
        self.known_cache: dict[str, tuple[services.Known, float]] = {}
        self.lookup_known = Batcher(self, _known_devices)
        self.lookup_registered = Batcher(self, _registrations)
        self.record_registration = Batcher(self, services.registrations_recorded)
        self.to_interrogate: OrderedDict[str, Session] = OrderedDict()
        self.interrogation_due = asyncio.Event()
        self.interrogation_slots = asyncio.Semaphore(INTERROGATIONS)
        self.last_register = 0.0             # monotonic time of the last REGISTER received
        self.sn = random_tokens.randbelow(10_000)
        self.cseq = 0
        self.udp: asyncio.DatagramTransport | None = None
        self.tcp: asyncio.AbstractServer | None = None
        self.tcp_count: dict[str, int] = {}
        self.tasks: set[asyncio.Task] = set()
        self.unknown: dict[str, services.Sighting] = {}   # refused unknown IDs waiting for the next flush
        self.stats = {"received": 0, "malformed": 0, "registered": 0, "keepalives": 0, "refused": 0,
                      "unknown_uncounted": 0}

    # --- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> None:
        await self._listen()
        for job in (self._flush_loop, self._schedule_loop, self._interrogation_loop, self._unknown_loop):
            self._spawn(job())
        if self.config.sweep:       # otherwise the scheduler's video.offline_sweep job does it (video/jobs.py)
            self._spawn(self._sweep_loop())

    async def _listen(self, attempts: int = 20) -> None:
        """UDP and TCP on one port. With port 0 ("any free port") the port the system gives UDP may
        already carry a TCP socket (a database connection's local end, say), so try again with
        another rather than fail to start."""
        loop = asyncio.get_running_loop()
        for attempt in range(attempts if self.config.port == 0 else 1):
            self.udp, _ = await loop.create_datagram_endpoint(lambda: _Udp(self),
                                                              local_addr=(self.config.host, self.config.port),
                                                              reuse_port=self.config.reuse_port or None)
            port = self.udp.get_extra_info("sockname")[1]
            try:
                self.tcp = await asyncio.start_server(self._tcp_client, self.config.host, port,
                                                      limit=sip.MAX_MESSAGE, reuse_port=self.config.reuse_port or None)
            except OSError:
                self.udp.close()
                if self.config.port or attempt == attempts - 1:
                    raise
                continue
            self.config.port = port
            self._size_buffers(self.udp.get_extra_info("socket"))
            return

    def _size_buffers(self, sock) -> None:
        """Room for a burst in the kernel (the system's default ~200 KB holds about a thousand
        REGISTERs): what a storm sends while the loop is busy waits there instead of being dropped.
        The kernel caps the size at net.core.rmem_max / wmem_max."""
        for option in (socket.SO_RCVBUF, socket.SO_SNDBUF):
            try:
                sock.setsockopt(socket.SOL_SOCKET, option, self.config.udp_buffer)
            except OSError:
                log.warning("could not size the UDP socket's buffers")

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.keepalives:
            await self._flush()
        if self.unknown:
            await self._flush_unknown()
        if self.udp:
            self.udp.close()
        if self.tcp:
            self.tcp.close()
        if not self.inline_db:
            await self.db(close_old_connections)
        self.executor.shutdown(wait=True)

    def _spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def db(self, function, /, **kwargs):
        if self.inline_db:
            return function(**kwargs)
        return await asyncio.get_running_loop().run_in_executor(self.executor, lambda: function(**kwargs))

    # --- transport -----------------------------------------------------------------------------

    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        address = writer.get_extra_info("peername")
        source = address[0]
        if sum(self.tcp_count.values()) >= MAX_TCP_CONNECTIONS or self.tcp_count.get(source, 0) >= MAX_TCP_PER_SOURCE:
            writer.close()
            return
        self.tcp_count[source] = self.tcp_count.get(source, 0) + 1
        peer = Peer("TCP", address, writer.write)
        buffer = sip.StreamBuffer()
        idle = self.config.keepalive * (self.config.missed + 1) + 30
        try:
            while True:
                chunk = await asyncio.wait_for(reader.read(16_384), timeout=idle)
                if not chunk:
                    break
                try:
                    messages = buffer.feed(chunk)
                except sip.SipError as error:
                    self._refuse_garbage(buffer.data or chunk, error, peer)
                    break                 # framing is lost: close the connection
                for message in messages:
                    await self.dispatch(message, peer)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.tcp_count[source] -= 1
            if not self.tcp_count[source]:
                del self.tcp_count[source]
            writer.close()

    def datagram(self, data: bytes, address) -> None:
        peer = Peer("UDP", address, lambda payload: self.udp.sendto(payload, address))
        if not self.limiter.allow(address[0]) or len(self.tasks) >= MAX_TASKS:
            return                        # a flood (one source, or many at once) is dropped, not queued
        self.stats["received"] += 1
        try:
            message = sip.parse_datagram(data)
        except sip.SipError as error:
            self._refuse_garbage(data, error, peer)
            return
        if message.method == "MESSAGE" and self._keepalive_at_once(message, peer):
            return
        self._spawn(self.dispatch(message, peer))

    def _keepalive_at_once(self, message: sip.Message, peer: Peer) -> bool:
        """A keepalive of the fixed shape from a device with a live session here: answered and
        noted without a task (most of the traffic). False: go the general way (on_message)."""
        if "manscdp+xml" not in (message.get("Content-Type") or "").lower():
            return False
        body = manscdp.keepalive(message.body)
        if body is None:
            return False
        session = self.sessions.get(sip.uri_user(message.get("From") or ""))
        if session is None or session.expires_at < time.monotonic():
            return False
        session.peer = peer
        self.reply(peer, message, 200)
        self.stats["keepalives"] += 1
        self.keepalives.add(session.known.endpoint_id)
        return True

    def _refuse_garbage(self, data: bytes, error: sip.SipError, peer: Peer) -> None:
        self.stats["malformed"] += 1
        request = sip.respondable(data)
        if request is not None:
            peer.send(sip.response(request, error.status, error.reason).to_bytes())

    # --- dispatch ------------------------------------------------------------------------------

    async def dispatch(self, message: sip.Message, peer: Peer) -> None:
        if not message.is_request:
            return                          # answers to our MESSAGE queries: nothing to do
        if peer.transport == "TCP" and not self.limiter.allow(peer.address[0]):
            return
        handler = {"REGISTER": self.on_register, "MESSAGE": self.on_message}.get(message.method)
        try:
            if handler is not None:
                await handler(message, peer)
            elif message.method in ("ACK",):
                return
            elif message.method == "OPTIONS":
                self.reply(peer, message, 200, headers=[("Allow", "REGISTER, MESSAGE, OPTIONS")])
            else:
                self.reply(peer, message, 405, headers=[("Allow", "REGISTER, MESSAGE, OPTIONS")])
        except Exception:                    # a bug must not take the gateway down
            log.exception("SIP %s from %s failed", message.method, peer.label)
            self.reply(peer, message, 500)

    def reply(self, peer: Peer, request: sip.Message, status: int, reason: str = "", headers=()) -> None:
        tag = _token(32) if status >= 200 else ""
        peer.send(sip.response(request, status, reason, to_tag=tag, headers=list(headers)).to_bytes())

    # --- REGISTER ------------------------------------------------------------------------------

    def _expires(self, message: sip.Message) -> int | None:
        value = sip.header_param(message.get("Contact") or "", "expires") or message.get("Expires") or "3600"
        if not value.isdigit() or len(value) > 10:
            return None
        return min(int(value), MAX_EXPIRES)

    async def on_register(self, message: sip.Message, peer: Peer) -> None:
        self.last_register = time.monotonic()
        device_id = sip.uri_user(message.get("From") or "")
        expires = self._expires(message)
        if len(device_id) != 20 or not device_id.isdigit() or expires is None:
            self.reply(peer, message, 400)
            return
        known = await self._known(device_id)
        now = timezone.now()
        if known is None:
            self.stats["refused"] += 1
            self.reply(peer, message, 403, "Unknown Device")
            self.note_unknown(device_id, peer.label, now)
            return
        params = digest.parse_authorization(message.get("Authorization"))
        if params is None:
            self._challenge(peer, message)
            return
        nonce = self.nonces.check(params.get("nonce", ""))
        if nonce != "ok":
            self._challenge(peer, message, stale=nonce == "stale")
            return
        password = known.password or self.config.default_password
        if params.get("username") != device_id or not digest.verify(params, method="REGISTER", realm=self.config.realm,
                                                                      password=password):
            self.stats["refused"] += 1
            self.reply(peer, message, 403, "Wrong Password")
            return
        await self._registered(message, peer, known, expires, now)

    async def _known(self, device_id: str) -> services.Known | None:
        cached = self.known_cache.get(device_id)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        known = await self.lookup_known(device_id)
        if known is not None:
            if len(self.known_cache) >= KNOWN_CACHE_MAX:
                self.known_cache.clear()
            self.known_cache[device_id] = (known, time.monotonic() + KNOWN_TTL)
        return known

    def _challenge(self, peer: Peer, message: sip.Message, *, stale: bool = False) -> None:
        header = digest.challenge(self.config.realm, self.nonces.issue(), stale=stale)
        self.reply(peer, message, 401, headers=[("WWW-Authenticate", header)])

    async def _registered(self, message, peer, known, expires, now) -> None:
        device_id = known.gb28181_id
        if expires == 0:
            await self.db(services.unregistered, endpoint_id=known.endpoint_id, at=now, source=peer.label,
                          node=self.config.node)
            self.sessions.pop(device_id, None)
            self.reply(peer, message, 200, headers=[("Expires", "0")])
            return
        await self.record_registration({"endpoint_id": known.endpoint_id, "at": now, "expires": expires,
                                        "contact": peer.label, "transport": peer.transport, "source": peer.label,
                                        "node": self.config.node})
        previous = self.sessions.get(device_id)
        fresh = previous is None or previous.expires_at < time.monotonic()
        session = Session(known, peer, time.monotonic() + expires, realm=sip.uri_host(message.get("To") or ""))
        if previous is not None and not fresh:
            session.interrogated_at = previous.interrogated_at
        self.sessions[device_id] = session
        self.stats["registered"] += 1
        self.reply(peer, message, 200, headers=[
            ("Contact", message.get("Contact") or ""), ("Expires", str(expires)),
            ("Date", local_text(now) + ".000")])
        if fresh:
            self.queue_interrogation(session)

    # --- MESSAGE -------------------------------------------------------------------------------

    async def on_message(self, message: sip.Message, peer: Peer) -> None:
        if "manscdp+xml" not in (message.get("Content-Type") or "").lower():
            self.reply(peer, message, 415)
            return
        try:
            body = manscdp.parse(message.body)
        except manscdp.XmlError:
            self.reply(peer, message, 400, "Bad MANSCDP Body")
            return
        device_id = sip.uri_user(message.get("From") or "")
        session = await self._session(device_id, peer)
        if session is None:
            self.reply(peer, message, 403, "Not Registered")
            return
        self.reply(peer, message, 200)
        if body.root == "Notify" and body.cmd_type == "Keepalive":
            self.stats["keepalives"] += 1
            self.keepalives.add(session.known.endpoint_id)
        elif body.root == "Response":
            self._answer(device_id, body)

    async def _session(self, device_id: str, peer: Peer) -> Session | None:
        """This process's session for the device, or one built from the database when the device
        registered with another gateway process; None when it is not registered. Lookups of
        devices this process does not know are batched: one query for all asked at once."""
        session = self.sessions.get(device_id)
        if session is not None and session.expires_at >= time.monotonic():
            session.peer = peer
            return session
        if len(device_id) != 20 or not device_id.isdigit():
            return None
        row = await self.lookup_registered(device_id)
        if row is None:
            return None
        session = self.sessions.get(device_id)
        if session is None or session.expires_at < time.monotonic():
            known, remaining = row
            session = Session(known, peer, time.monotonic() + remaining)
            session.interrogated_at = time.monotonic()   # its own gateway process asked it already
            self.sessions[device_id] = session
        session.peer = peer
        return session

    def _answer(self, device_id: str, body: manscdp.Manscdp) -> None:
        pending = self.pending.get((device_id, body.sn))
        if pending is None or pending.cmd_type != body.cmd_type:
            return
        pending.answered = True
        pending.fields.update(body.fields)
        pending.items.extend(body.items[: manscdp.MAX_ITEMS - len(pending.items)])
        if body.sum_num is not None:
            pending.sum_num = body.sum_num
        if pending.sum_num is None or len(pending.items) >= pending.sum_num or len(pending.items) >= manscdp.MAX_ITEMS:
            pending.done.set()

    # --- queries -------------------------------------------------------------------------------

    def _next_sn(self) -> int:
        self.sn = self.sn % 999_999 + 1
        return self.sn

    def send_query(self, session: Session, cmd_type: str, target: str, **extra) -> tuple[int, Pending]:
        sn = self._next_sn()
        pending = Pending(cmd_type)
        self.pending[(session.known.gb28181_id, sn)] = pending
        self.cseq += 1
        host, port = self.config.host, self.config.port
        domain = session.realm or self.config.realm
        request = sip.Message(method="MESSAGE", uri=f"sip:{target}@{domain}")
        request.headers = [
            ("Via", f"SIP/2.0/{session.peer.transport} {host}:{port};rport;branch=z9hG4bK{_token(64)}"),
            ("From", f"<sip:{self.config.platform_id}@{self.config.realm}>;tag={_token(32)}"),
            ("To", f"<sip:{target}@{domain}>"),
            ("Call-ID", f"{_token(64)}@{host}"),
            ("CSeq", f"{self.cseq} MESSAGE"),
            ("Max-Forwards", "70"),
            ("User-Agent", "Jifang"),
            ("Content-Type", "Application/MANSCDP+xml"),
        ]
        request.body = manscdp.build("Query", cmd_type, sn, target, **extra)
        session.peer.send(request.to_bytes())
        return sn, pending

    async def ask(self, session: Session, cmd_type: str, target: str, **extra) -> Pending:
        """Send a query and wait for its (aggregated) answer or the timeout."""
        sn, pending = self.send_query(session, cmd_type, target, **extra)
        try:
            await asyncio.wait_for(pending.done.wait(), timeout=self.config.answer_timeout)
        except TimeoutError:
            pass
        finally:
            self.pending.pop((session.known.gb28181_id, sn), None)
        return pending

    def queue_interrogation(self, session: Session) -> None:
        """Catalog, DeviceStatus and proofs wait in a queue (one entry per device) worked by at
        most INTERROGATIONS devices at a time; while REGISTERs keep arriving (one within
        STORM_QUIET) a new device is taken only every STORM_PACE: a storm of registrations is
        answered first and its devices asked mostly afterwards, yet a city's steady trickle of
        re-registrations never stops the queue."""
        self.to_interrogate[session.known.gb28181_id] = session
        self.interrogation_due.set()

    def _registrations_busy(self) -> bool:
        return time.monotonic() - self.last_register < STORM_QUIET

    async def _interrogation_loop(self) -> None:
        while True:
            await self.interrogation_due.wait()
            self.interrogation_due.clear()
            while self.to_interrogate:
                if self._registrations_busy():
                    await asyncio.sleep(STORM_PACE)
                await self.interrogation_slots.acquire()
                _, session = self.to_interrogate.popitem(last=False)
                self._spawn(self._interrogate_in_slot(session))

    async def _interrogate_in_slot(self, session: Session) -> None:
        try:
            await self.interrogate(session)
        finally:
            self.interrogation_slots.release()

    async def interrogate(self, session: Session) -> None:
        """Catalog, DeviceStatus, then the retention proofs of its registry-linked channels."""
        if session.busy:
            return
        session.busy = True
        session.interrogated_at = time.monotonic()
        known = session.known
        try:
            catalog = await self.ask(session, "Catalog", known.gb28181_id)
            channels = []
            if catalog.answered:
                channels = await self.db(services.catalog_received, endpoint_id=known.endpoint_id,
                                         items=catalog.items, at=timezone.now())
            status = await self.ask(session, "DeviceStatus", known.gb28181_id)
            if status.answered:
                await self.db(services.status_received, endpoint_id=known.endpoint_id, **_status_facts(status.fields))
            due = session.proved_at is None or time.monotonic() - session.proved_at >= self.config.proof_every
            targets = await self.db(_proof_targets, channel_ids=channels) if channels and due else []
            if targets:
                session.proved_at = time.monotonic()
            for channel_id, channel_gb_id in targets:
                await self.prove(session, channel_id, channel_gb_id)
        except Exception:
            log.exception("interrogating %s failed", known.gb28181_id)
        finally:
            session.busy = False

    async def prove(self, session: Session, channel_id: int, channel_gb_id: str) -> None:
        asked = timezone.now()
        days = await self.db(retention_days, as_of=timezone.localdate(asked))
        if not days:
            return
        centre = (asked - dt.timedelta(days=days)).replace(microsecond=0)   # the query speaks whole seconds
        half = dt.timedelta(minutes=self.config.proof_window_minutes / 2)
        window = (centre - half, centre + half)
        sn, pending = self.send_query(session, "RecordInfo", channel_gb_id, StartTime=local_text(window[0]),
                                      EndTime=local_text(window[1]), Secrecy="0", Type="all")
        try:
            await asyncio.wait_for(pending.done.wait(), timeout=self.config.answer_timeout)
        except TimeoutError:
            pass
        finally:
            self.pending.pop((session.known.gb28181_id, sn), None)
        complete = pending.answered and (pending.sum_num is None or len(pending.items) >= pending.sum_num)
        await self.db(services.proof_recorded, channel_id=channel_id, sn=sn, asked_at=asked,
                      answered_at=timezone.now() if pending.answered else None, window=window, required_days=days,
                      items=pending.items if complete else (pending.items or None), parse_time=parse_local)

    def note_unknown(self, device_id: str, source: str, now: dt.datetime) -> None:
        """Gather a refused unknown ID for the next flush: memory holds at most `unknown_max` IDs
        (a storm of new IDs beyond that is answered 403 but not counted, and says so in the stats)."""
        seen = self.unknown.get(device_id)
        if seen is not None:
            seen.attempts += 1
            seen.last, seen.source = now, source
        elif len(self.unknown) < self.config.unknown_max:
            self.unknown[device_id] = services.Sighting(1, now, now, source)
        else:
            self.stats["unknown_uncounted"] += 1

    # --- background loops ----------------------------------------------------------------------

    async def _flush_unknown(self) -> None:
        batch, self.unknown = self.unknown, {}
        await self.db(services.unknowns_seen, sightings=batch)

    async def _unknown_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.unknown_every)
            if self.unknown:
                try:
                    await self._flush_unknown()
                except Exception:
                    log.exception("unknown devices flush failed")

    async def _flush(self) -> None:
        batch, self.keepalives = self.keepalives, set()
        lapsed = set(await self.db(services.keepalives_seen, endpoint_ids=list(batch), at=timezone.now(),
                                   node=self.config.node))
        if not lapsed:                        # the usual case: no walk over every session
            return
        for session in list(self.sessions.values()):
            if session.known.endpoint_id in lapsed:
                session.expires_at = 0        # the next keepalive is refused: register again

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(min(0.5, self.config.keepalive / 4))
            if self.keepalives:
                try:
                    await self._flush()
                except Exception:
                    log.exception("keepalive flush failed")

    async def _sweep_loop(self) -> None:
        silence = dt.timedelta(seconds=self.config.keepalive * self.config.missed)
        while True:
            await asyncio.sleep(max(0.2, min(self.config.keepalive / 4, 5.0)))
            try:
                await self.db(services.sweep, now=timezone.now(), silence=silence, node=self.config.node)
            except Exception:
                log.exception("offline sweep failed")

    def forget_expired(self, now: float) -> None:
        """Drop the sessions whose registration ran out: the table holds at most one session per
        registered device (one per GB/T 28181 ID), and no more than the devices registered now."""
        for device_id in [key for key, session in self.sessions.items() if session.expires_at < now]:
            del self.sessions[device_id]

    async def _schedule_loop(self) -> None:
        """Ask this process's live devices again for their catalogue when due (and for retention
        proofs when those are due: `proof_every`)."""
        while True:
            await asyncio.sleep(max(1.0, min(self.config.catalog_every / 10, 60.0)))
            now = time.monotonic()
            self.forget_expired(now)
            for session in list(self.sessions.values()):
                if not session.busy and now - session.interrogated_at >= self.config.catalog_every:
                    self.queue_interrogation(session)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, gateway: Gateway):
        self.gateway = gateway

    def datagram_received(self, data, addr):
        self.gateway.datagram(data, addr)

    def error_received(self, exc):
        log.debug("UDP error: %s", exc)


# --- database helpers run in the worker thread ----------------------------------------------------

def _registrations(*, items: list[str]) -> list:
    """For each device ID, whether it is registered (possibly with another gateway process): (Known
    without the password, which a keepalive does not need; seconds its registration has left) or None."""
    return services.registrations_live(items, timezone.now())


def _known_devices(*, items: list[str]) -> list:
    return services.known_devices(items)


def _proof_targets(*, channel_ids: list[int]) -> list[tuple[int, str]]:
    from .models import Channel

    return list(Channel.objects.filter(pk__in=channel_ids, device__isnull=False).order_by("pk")
                .values_list("pk", "gb28181_id"))


def _status_facts(fields: dict) -> dict:
    record = fields.get("Record", "").upper()
    device_time = parse_local(fields.get("DeviceTime", ""))
    now = timezone.now()
    return {"recording": True if record == "ON" else False if record == "OFF" else None,
            "drift": round((device_time - now).total_seconds(), 1) if device_time else None, "at": now}


async def serve(config: Config, ready=None, stop: asyncio.Event | None = None) -> Gateway:
    """Run a gateway until `stop` is set (or forever)."""
    gateway = Gateway(config)
    await gateway.start()
    if ready is not None:
        ready(gateway)
    try:
        await (stop.wait() if stop is not None else asyncio.Event().wait())
    finally:
        await gateway.stop()
    return gateway
