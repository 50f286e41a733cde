"""The DC-09 receiver: asyncio, TCP and UDP on one port, every event committed before its ACK.

Flow of a frame: framing and CRC (dc09; TCP through a Protocol with its own framer, no streams) ->
the account (an in-memory copy of AlarmAccount, reloaded incrementally) -> decrypt and check
(dc09.decode) -> the bounded store queue -> one transaction per batch of concurrent messages in
the database thread (services.store_batch, "group commit") -> one wake-up of the loop per batch,
which writes every ACK of the batch. The usual path has no task and no future per message (each
costs more CPU than framing and checking the message). When the database is slow the queue fills,
TCP connections stop being read and UDP datagrams are dropped: memory stays bounded and nothing is
ACKed before it is stored. If a batch fails to commit its messages get no reply at all (the panels
retry). Supervision (panels gone silent) is not swept here: `jifang scheduler` runs it every 15 s
(alarms.jobs), so any number of receivers, or none, may run beside it.
"""
import asyncio
import contextlib
import datetime as dt
import functools
import logging
import os
import socket
from collections import defaultdict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import DataError, IntegrityError, connection, connections
from django.db.backends.signals import connection_created

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
    # batches in the database at once (PostgreSQL; SQLite has one writer): with the database on a
    # machine of its own a second batch is sent while the first is executed (JIFANG_ALARM_WRITERS)
    writers: int = 1
    udp_in_flight: int = 2000
    quarantine_max: int = 1000  # unknown-account sightings waiting to be counted
    window: tuple[dt.timedelta, dt.timedelta] = dc09.WINDOW
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
        self.pending: deque[tuple] = deque()  # (Received, frame, key, answer) waiting for the database
        self.storing = 0  # batches in the database threads
        self.kicked = False  # a _store_next is scheduled
        self.blocked: deque[_Tcp] = deque()  # connections not read until the queue has room
        self.lookups: set[asyncio.Task] = set()
        self.quarantined: list[tuple] = []
        self.per_source: dict[str, int] = defaultdict(int)
        self.connections = 0
        self.udp_in_flight = 0  # datagrams taken and not yet answered
        self.stats = defaultdict(int)
        # Writers (each thread keeps its connection between batches), and one thread reads accounts.
        self.writer_pool = ThreadPoolExecutor(self.limits.writers, thread_name_prefix="alarm-store")
        self.reader_pool = ThreadPoolExecutor(1, thread_name_prefix="alarm-accounts")
        self.tasks: list[asyncio.Task] = []
        self.server = None
        self.udp = None
        self.loop: asyncio.AbstractEventLoop | None = None

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

    def loop_time(self) -> float:
        return self.loop.time()

    def _one(self, account: str) -> Panel | None:
        row = AlarmAccount.objects.filter(account=account).first()
        return _panel(row) if row else None

    async def checkpoint(self) -> None:
        await self._db(self.reader_pool, _checkpoint)

    async def reload(self) -> None:
        found, self.reloaded_at = await self._db(self.reader_pool, self._load, self.reloaded_at)
        self.panels.update(found)
        if len(self.unknown_checked) > 10000:  # the reload has just read every new account anyway
            self.unknown_checked.clear()

    # --- one frame ----------------------------------------------------------------------------------

    def take(self, raw: bytes, transport: str, source: str, answer: Callable[[bytes], None]) -> None:
        """Answer one complete frame: `answer` gets its reply exactly once (b"" for silence), for an
        event only after the batch holding it is committed. The usual path runs without a task or a
        future: a known account's frame is checked here and waits in `pending` with its callback."""
        now = self.clock()
        parsed = dc09.read_frame(raw)
        if isinstance(parsed, dc09.Rejected):
            self.stats[parsed.verdict] += 1
            answer(parsed.reply)
            return
        account = parsed.account.upper()
        panel = self.panels.get(account)
        if panel is None and self._ask_database(account):
            task = asyncio.ensure_future(self._looked_up(account, parsed, raw, now, transport, source, answer))
            self.lookups.add(task)
            task.add_done_callback(self.lookups.discard)
            return
        self._checked(parsed, raw, panel, now, transport, source, answer)

    def _ask_database(self, account: str) -> bool:
        """An account missing from the copy is asked for at most once a second (so a flood from an
        unknown account costs no query per frame)."""
        now = asyncio.get_running_loop().time()
        if now - self.unknown_checked.get(account, -10.0) < 1.0 or len(self.unknown_checked) > 10000:
            return False
        self.unknown_checked[account] = now
        return True

    async def _looked_up(self, account, parsed, raw, now, transport, source, answer) -> None:
        try:
            panel = await self._db(self.reader_pool, self._one, account)
        except Exception:
            log.exception("alarm account look-up failed")
            answer(b"")
            return
        if panel is not None:
            self.panels[account] = panel
        self._checked(parsed, raw, panel, now, transport, source, answer)

    def _checked(self, parsed, raw, panel, now, transport, source, answer) -> None:
        outcome = dc09.decode(parsed, known=panel is not None, key=panel and panel.key, now=now,
                              window=self.limits.window)
        if panel is None and len(self.quarantined) < self.limits.quarantine_max:
            self.quarantined.append((parsed.account, now, source, raw))
        if outcome.verdict != dc09.Verdict.ACK:
            self.stats[outcome.verdict] += 1
            answer(outcome.reply)
            return
        decoded = codes.decode(parsed.token, outcome.message.data)
        if decoded is None:
            self.stats[dc09.Verdict.DUH] += 1
            answer(dc09.duh(parsed))
            return
        item = services.Received(panel.id, panel.copies, outcome.message, decoded, now, transport, source, self.name)
        self.pending.append((item, parsed, panel.key, answer))
        if self.storing < self.limits.writers and not self.kicked:
            # at the end of this turn of the loop: every frame read in it joins the same batch
            self.kicked = True
            self.loop.call_soon(self._store_next)

    # --- group commit -------------------------------------------------------------------------------

    def room(self) -> bool:
        """Whether another message may wait for the database (back-pressure: a connection that
        finds no room stops being read until a batch is committed)."""
        return len(self.pending) < self.limits.queue_size

    def _store_next(self) -> None:
        """Whatever waits (up to batch_max) goes to a database thread in one transaction, while a
        writer is free; the thread hands the batch back with one wake-up of the loop. Batches may
        commit out of order: each connection's replies still leave in its frames' order (_Tcp)."""
        self.kicked = False
        if self.storing >= self.limits.writers or not self.pending:
            return
        count = min(len(self.pending), self.limits.batch_max)
        batch = [self.pending.popleft() for _ in range(count)]
        self.storing += 1
        self.writer_pool.submit(self._commit, self.loop, batch)

    def _commit(self, loop: asyncio.AbstractEventLoop, batch: list) -> None:
        """In the database thread: store, then answer the whole batch on the loop. What was not
        stored gets no reply (the panels retry). One message the database refuses as data must not
        cost its batch-mates their ACK: the batch is then stored a message at a time."""
        try:
            try:
                services.store_batch([item for item, *_ in batch])
                refused = ()
            except (DataError, IntegrityError):
                refused = self._one_by_one(batch)
        except Exception:  # the database is down or refused: no ACK, the panels retry
            log.exception("storing %d alarm messages failed", len(batch))
            connections.close_all()
            refused = range(len(batch))
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nothing to answer
            loop.call_soon_threadsafe(self._stored, batch, refused)

    @staticmethod
    def _one_by_one(batch: list) -> set[int]:
        """Store each message alone; the positions of those the database refuses."""
        refused = set()
        for position, (item, *_rest) in enumerate(batch):
            try:
                services.store_batch([item])
            except (DataError, IntegrityError):
                log.exception("alarm message refused by the database: %r", item.message.frame.raw[:120])
                refused.add(position)
        return refused

    def _stored(self, batch: list, refused) -> None:
        """`refused`: the positions in the batch that were not stored (no reply)."""
        self.storing -= 1
        # counted before the ACKs leave: whoever reads an ACK may read the count
        self.stats[dc09.Verdict.ACK] += len(batch) - len(refused)
        now = self.clock()
        for position, (item, parsed, key, answer) in enumerate(batch):
            answer(b"" if position in refused else dc09.ack(parsed, now, key))
        self._store_next()
        while self.blocked and self.room():
            self.blocked.popleft().unblock()

    # --- transports ---------------------------------------------------------------------------------

    def admit(self, address: str) -> bool:
        if self.connections >= self.limits.max_connections or self.per_source[address] >= self.limits.per_source:
            self.stats["refused_connections"] += 1
            return False
        self.connections += 1
        self.per_source[address] += 1
        return True

    def release(self, address: str) -> None:
        self.connections -= 1
        self.per_source[address] -= 1
        if not self.per_source[address]:
            del self.per_source[address]

    def datagram(self, data: bytes, addr) -> None:
        """One datagram, one frame. Beyond udp_in_flight (answers owed) or with no room in the
        queue it is dropped: the panel retries, memory stays bounded."""
        if (self.udp_in_flight >= self.limits.udp_in_flight or not self.room()
                or len(data) > self.limits.max_span + dc09.HEAD + 1):
            self.stats["dropped_datagrams"] += 1
            return
        self.udp_in_flight += 1

        def answer(reply: bytes) -> None:
            self.udp_in_flight -= 1
            if reply and self.udp is not None:
                self.udp.sendto(reply, addr)

        self.take(data, "udp", f"{addr[0]}:{addr[1]}", answer)

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

    # --- lifecycle ----------------------------------------------------------------------------------

    async def start(self) -> None:
        connection_created.connect(_receiver_connection, dispatch_uid="alarm-receiver")
        await self.reload()
        self.loop = loop = asyncio.get_running_loop()
        for attempt in range(20):  # TCP and UDP on one port: with port 0, retry if UDP's is taken
            self.server = await loop.create_server(lambda: _Tcp(self), self.host, self.port, reuse_address=True,
                                                   reuse_port=self.reuse_port or None)
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
            self.every(1.0, self.flush_quarantine), self.every(self.limits.reload_every, self.reload))]
        if connection.vendor == "sqlite":
            self.tasks.append(asyncio.create_task(self.every(1.0, self.checkpoint)))

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
        if self.udp is not None:
            self.udp.close()
        while self.pending or self.storing or self.lookups:  # let what waits be stored and answered
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
        connection_created.disconnect(dispatch_uid="alarm-receiver")


class _Tcp(asyncio.Protocol):
    """One panel connection: the framer cuts the stream, replies leave in the order the frames
    came (a reply waits for the ones before it), and reading stops while the store queue is full
    or the panel does not read its replies. Timers: idle_timeout between frames, frame_timeout
    once a frame has begun or while the panel does not take our replies."""

    def __init__(self, receiver: Receiver):
        self.receiver = receiver
        self.framer = dc09.Framer(receiver.limits.max_span)
        self.waiting: deque[bytes] = deque()  # frames read while the queue had no room
        self.replies: deque[list] = deque()  # one slot per frame taken, in order: [reply or None]
        self.transport = None
        self.address = self.source = ""
        self.last = self.deadline = 0.0
        self.timer = None
        self.write_paused = False

    def connection_made(self, transport) -> None:
        peer = transport.get_extra_info("peername") or ("?", 0)
        if not self.receiver.admit(peer[0]):
            transport.abort()
            return
        self.transport, self.address, self.source = transport, peer[0], f"{peer[0]}:{peer[1]}"
        self._arm(self.receiver.limits.idle_timeout)

    def connection_lost(self, exc) -> None:
        if self.transport is None:
            return
        self.transport = None
        self.receiver.release(self.address)
        if self.timer is not None:
            self.timer.cancel()
        self.waiting.clear()

    def data_received(self, data: bytes) -> None:
        if self.transport is None:
            return
        self.last = self.receiver.loop_time()
        self.waiting.extend(self.framer.feed(data))
        if self.framer.pending and self.last + self.receiver.limits.frame_timeout < self.deadline:
            self._arm(self.receiver.limits.frame_timeout)
        self._take_waiting()

    def _take_waiting(self) -> None:
        receiver = self.receiver
        while self.waiting and receiver.room():
            slot = [None]
            self.replies.append(slot)
            receiver.take(self.waiting.popleft(), "tcp", self.source, functools.partial(self._answer, slot))
        if self.waiting:
            self.transport.pause_reading()
            receiver.blocked.append(self)

    def unblock(self) -> None:
        if self.transport is None:
            return
        self._take_waiting()
        if not self.waiting and not self.write_paused:
            self.transport.resume_reading()

    def _answer(self, slot: list, reply: bytes) -> None:
        slot[0] = reply
        replies = self.replies
        while replies and replies[0][0] is not None:
            out = replies.popleft()[0]
            if out and self.transport is not None:
                self.transport.write(out)

    def pause_writing(self) -> None:
        """The panel does not read its replies: stop reading its frames; cut it after frame_timeout."""
        self.write_paused = True
        self.transport.pause_reading()
        self._arm(self.receiver.limits.frame_timeout)

    def resume_writing(self) -> None:
        self.write_paused = False
        if not self.waiting and self.transport is not None:
            self.transport.resume_reading()

    def _arm(self, seconds: float) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.deadline = self.receiver.loop_time() + seconds
        self.timer = self.receiver.loop.call_at(self.deadline, self._check)

    def _check(self) -> None:
        """The timer fired: close the connection if it is idle, stuck mid-frame or not reading its
        replies; otherwise wait until the new deadline (the timer is moved only when it fires, not
        per read: a read costs no timer operation)."""
        if self.transport is None:
            return
        limits, now = self.receiver.limits, self.receiver.loop_time()
        busy = bool(self.replies) or bool(self.waiting)  # waiting on us, not on the panel
        if self.write_paused:
            self.transport.abort()
            return
        due = self.last + (limits.frame_timeout if self.framer.pending else limits.idle_timeout)
        if now >= due and not busy:
            self.transport.close()
            return
        self._arm(max(due - now, limits.frame_timeout if busy else 0.0))


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, receiver: Receiver):
        self.receiver = receiver

    def datagram_received(self, data, addr):
        self.receiver.datagram(data, addr)


def _receiver_connection(sender, connection, **kwargs) -> None:
    """The receiver's database connections (writers and reader).

    PostgreSQL: the batch statement (services._store_in_one_statement) is prepared once and always
    run with its generic plan; the server would otherwise plan it anew for a while to compare (the
    plan does not depend on the values: the same arrays of every batch).

    SQLite: the WAL checkpoint (pages written back into the database file, which is then synced:
    milliseconds, paid by whichever commit crosses the mark, by default every thousand pages) runs
    once a second in the receiver's reading thread instead (_checkpoint), beside the commits rather
    than inside them. A checkpoint running beside a writer never quite
    finishes, and the WAL is reused from its start only after one has: so a commit still checkpoints
    at a higher mark (CHECKPOINT_PAGES), which finds almost everything copied already and lets the
    WAL start over. The WAL stays within that mark's size."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET plan_cache_mode = force_generic_plan")
        elif connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")


# 400 MB of 4 KiB pages. Measured with new events (bench/alarms.py), the rarer a commit completes
# a checkpoint the better its p99: at 10,000 pages a stall of ~50 ms (the database file's fsync)
# every few seconds of load made a p99 of 49-62 ms; at 100,000, 15-23 ms. Under load the WAL may
# reach that size (it is reused, not regrown, afterwards).
CHECKPOINT_PAGES = 100_000


def _checkpoint() -> None:
    """PASSIVE: copies what it can without waiting for or blocking the writer."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def limits_from_settings() -> Limits:
    low, high = settings.JIFANG_ALARM_WINDOW
    writers = 1 if connection.vendor == "sqlite" else settings.JIFANG_ALARM_WRITERS  # SQLite has one writer
    return Limits(window=(dt.timedelta(seconds=low), dt.timedelta(seconds=high)), writers=writers)
