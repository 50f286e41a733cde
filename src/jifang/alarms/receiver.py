"""The DC-09 receiver: asyncio, TCP and UDP on one port, every event committed before its ACK.

Flow of a frame: framing and CRC (dc09) -> the account (an in-memory copy of AlarmAccount, reloaded
incrementally) -> decrypt and check (dc09.decode) -> the bounded store queue -> one transaction per
batch of concurrent messages (services.store_batch, "group commit") -> ACK. When the database is
slow the queue fills, handlers wait on it, TCP connections stop being read and UDP datagrams beyond
the in-flight limit are dropped: memory stays bounded and nothing is ACKed before it is stored.
If a batch fails to commit its messages get no reply at all (the panels retry).
"""
import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

from . import codes, dc09, services
from .models import AlarmAccount

log = logging.getLogger("jifang.alarms.receiver")


def parse_bind(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


@dataclass
class Limits:
    max_span: int = dc09.MAX_SPAN
    max_connections: int = 2000
    per_source: int = 32  # connections from one address (a NAT'd site may hold several panels)
    idle_timeout: float = 300.0  # a connection silent this long is closed (panels reconnect)
    frame_timeout: float = 10.0  # a frame begun must end within this (slow-read / slowloris)
    queue_size: int = 2000  # messages waiting for the database
    batch_max: int = 500
    udp_in_flight: int = 2000
    quarantine_max: int = 1000  # unknown-account sightings waiting to be counted
    window: tuple[dt.timedelta, dt.timedelta] = dc09.WINDOW
    sweep_every: float = 15.0
    reload_every: float = 5.0


@dataclass(frozen=True)
class Panel:
    id: int
    copies: dict
    key: bytes | None


def _panel(row: AlarmAccount) -> Panel:
    copies = {"device_id": row.device_id, "system_id": row.system_id, "site_id": row.site_id,
              "unit_id": row.unit_id, "district_id": row.district_id}
    return Panel(row.pk, copies, services.panel_key(row))


class Receiver:
    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, name: str = "", limits: Limits | None = None,
                 clock: Callable[[], dt.datetime] | None = None, reuse_port: bool = False):
        """reuse_port: several receiver processes listen on one port (SO_REUSEPORT; the kernel spreads
        TCP connections and UDP sources between them) when one core is not enough."""
        self.host, self.port, self.reuse_port = host, port, reuse_port
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.limits = limits or Limits()
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.panels: dict[str, Panel] = {}
        self.reloaded_at: dt.datetime | None = None
        self.unknown_checked: dict[str, float] = {}
        self.queue: asyncio.Queue = asyncio.Queue(self.limits.queue_size)
        self.quarantined: list[tuple] = []
        self.per_source: dict[str, int] = defaultdict(int)
        self.connections = 0
        self.udp_in_flight = 0
        self.stats = defaultdict(int)
        # One thread writes (keeps its connection and the batches in order), one reads accounts.
        self.writer_pool = ThreadPoolExecutor(1, thread_name_prefix="alarm-store")
        self.reader_pool = ThreadPoolExecutor(1, thread_name_prefix="alarm-accounts")
        self.tasks: list[asyncio.Task] = []
        self.server = None
        self.udp = None

    # --- database work (in the pools' threads) -------------------------------------------------------

    def _db(self, pool, fn, *args):
        """Run `fn` in the pool's thread. Its connection is kept between batches (Django's
        per-request close would reopen SQLite, PRAGMAs and all, for every batch); after an error it
        is dropped so that the next batch reconnects."""
        def run():
            try:
                return fn(*args)
            except Exception:
                connections.close_all()
                raise
        return asyncio.get_running_loop().run_in_executor(pool, run)

    def _load(self, since: dt.datetime | None) -> tuple[dict[str, Panel], dt.datetime | None]:
        rows = AlarmAccount.objects.all()
        if since is not None:
            rows = rows.filter(updated_at__gte=since - dt.timedelta(seconds=2))
        found, newest = {}, since
        for row in rows.only("id", "account", "key_token", "device_id", "system_id", "site_id", "unit_id",
                             "district_id", "updated_at").iterator(chunk_size=2000):
            found[row.account] = _panel(row)
            newest = max(newest, row.updated_at) if newest else row.updated_at
        return found, newest

    def _one(self, account: str) -> Panel | None:
        row = AlarmAccount.objects.filter(account=account).first()
        return _panel(row) if row else None

    async def reload(self) -> None:
        found, self.reloaded_at = await self._db(self.reader_pool, self._load, self.reloaded_at)
        self.panels.update(found)
        if len(self.unknown_checked) > 10000:  # the reload has just read every new account anyway
            self.unknown_checked.clear()

    async def panel(self, account: str) -> Panel | None:
        """The account from the copy; a miss asks the database, at most once a second per account
        (so a flood from an unknown account costs no query per frame)."""
        account = account.upper()
        found = self.panels.get(account)
        if found is not None:
            return found
        now = asyncio.get_running_loop().time()
        if now - self.unknown_checked.get(account, -10.0) < 1.0 or len(self.unknown_checked) > 10000:
            return None
        self.unknown_checked[account] = now
        found = await self._db(self.reader_pool, self._one, account)
        if found is not None:
            self.panels[account] = found
        return found

    # --- one frame ----------------------------------------------------------------------------------

    async def handle(self, raw: bytes, transport: str, source: str) -> bytes:
        """The reply to one complete frame (b"" for silence), sent only after the event is stored."""
        now = self.clock()
        parsed = dc09.read_frame(raw)
        if isinstance(parsed, dc09.Rejected):
            self.stats[parsed.verdict] += 1
            return parsed.reply
        panel = await self.panel(parsed.account)
        outcome = dc09.decode(parsed, known=panel is not None, key=panel and panel.key, now=now,
                              window=self.limits.window)
        if panel is None and len(self.quarantined) < self.limits.quarantine_max:
            self.quarantined.append((parsed.account, now, source, raw))
        if outcome.verdict != dc09.Verdict.ACK:
            self.stats[outcome.verdict] += 1
            return outcome.reply
        decoded = codes.decode(parsed.token, outcome.message.data)
        if decoded is None:
            self.stats[dc09.Verdict.DUH] += 1
            return dc09.duh(parsed)
        item = services.Received(panel.id, panel.copies, outcome.message, decoded, now, transport, source, self.name)
        done = asyncio.get_running_loop().create_future()
        await self.queue.put((item, done))  # waits when the database is behind: back-pressure
        if not await done:
            return b""
        self.stats[dc09.Verdict.ACK] += 1
        return dc09.ack(parsed, self.clock(), panel.key)

    async def store_loop(self) -> None:
        """Group commit: whatever is waiting (up to batch_max) goes in one transaction."""
        while True:
            batch = [await self.queue.get()]
            while len(batch) < self.limits.batch_max and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                await self._db(self.writer_pool, services.store_batch, [item for item, _ in batch])
                ok = True
            except Exception:  # the database is down or refused: no ACK, the panels retry
                log.exception("storing %d alarm messages failed", len(batch))
                ok = False
            for _, done in batch:
                if not done.done():
                    done.set_result(ok)

    # --- transports ---------------------------------------------------------------------------------

    async def tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername") or ("?", 0)
        address = peer[0]
        if self.connections >= self.limits.max_connections or self.per_source[address] >= self.limits.per_source:
            self.stats["refused_connections"] += 1
            writer.close()
            return
        self.connections += 1
        self.per_source[address] += 1
        framer = dc09.Framer(self.limits.max_span)
        source = f"{address}:{peer[1]}"
        try:
            while True:
                timeout = self.limits.frame_timeout if framer.pending else self.limits.idle_timeout
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout)
                except (TimeoutError, ConnectionError):
                    break
                if not data:
                    break
                for raw in framer.feed(data):
                    reply = await self.handle(raw, "tcp", source)
                    if reply:
                        writer.write(reply)
                        await asyncio.wait_for(writer.drain(), self.limits.frame_timeout)
        except (TimeoutError, ConnectionError):
            pass
        finally:
            self.connections -= 1
            self.per_source[address] -= 1
            if not self.per_source[address]:
                del self.per_source[address]
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def datagram(self, data: bytes, addr) -> None:
        if self.udp_in_flight >= self.limits.udp_in_flight or len(data) > self.limits.max_span + dc09.HEAD + 1:
            self.stats["dropped_datagrams"] += 1
            return
        self.udp_in_flight += 1
        task = asyncio.ensure_future(self._datagram(data, addr))
        task.add_done_callback(lambda _t: self._udp_done())

    def _udp_done(self) -> None:
        self.udp_in_flight -= 1

    async def _datagram(self, data: bytes, addr) -> None:
        reply = await self.handle(data, "udp", f"{addr[0]}:{addr[1]}")
        if reply and self.udp is not None:
            self.udp.sendto(reply, addr)

    # --- background -------------------------------------------------------------------------------

    async def every(self, seconds: float, fn) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await fn()
            except Exception:
                log.exception("alarm receiver background task failed")

    async def flush_quarantine(self) -> None:
        rows, self.quarantined = self.quarantined, []
        if rows:
            await self._db(self.writer_pool, services.quarantine, rows)

    async def sweep(self) -> None:
        await self._db(self.writer_pool, lambda: services.supervision_sweep(now=self.clock()))

    # --- lifecycle ----------------------------------------------------------------------------------

    async def start(self) -> None:
        await self.reload()
        loop = asyncio.get_running_loop()
        for attempt in range(20):  # TCP and UDP on one port: with port 0, retry if UDP's is taken
            self.server = await asyncio.start_server(self.tcp_client, self.host, self.port, limit=8192,
                                                     reuse_address=True, reuse_port=self.reuse_port or None)
            port = self.server.sockets[0].getsockname()[1]
            try:
                self.udp, _ = await loop.create_datagram_endpoint(lambda: _Udp(self), local_addr=(self.host, port),
                                                                  reuse_port=self.reuse_port or None)
            except OSError:
                self.server.close()
                if self.port or attempt == 19:
                    raise
                continue
            self.port = port
            break
        self.tasks = [asyncio.create_task(coro) for coro in (
            self.store_loop(), self.every(1.0, self.flush_quarantine), self.every(self.limits.sweep_every, self.sweep),
            self.every(self.limits.reload_every, self.reload))]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        if self.udp is not None:
            self.udp.close()
        while not self.queue.empty():  # let what is queued be stored and answered
            await asyncio.sleep(0.05)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.flush_quarantine()
        for pool in (self.writer_pool, self.reader_pool):
            await asyncio.get_running_loop().run_in_executor(pool, connections.close_all)
        self.writer_pool.shutdown(wait=True)
        self.reader_pool.shutdown(wait=True)


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, receiver: Receiver):
        self.receiver = receiver

    def datagram_received(self, data, addr):
        self.receiver.datagram(data, addr)


def limits_from_settings() -> Limits:
    low, high = settings.JIFANG_ALARM_WINDOW
    return Limits(window=(dt.timedelta(seconds=low), dt.timedelta(seconds=high)))
