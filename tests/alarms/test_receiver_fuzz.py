"""A hypothesis fuzz of the receiver's TCP protocol (framer, ordered replies, back-pressure, group
commit) without sockets or a database: whatever the stream and however it is cut, it never raises,
never ACKs a message before the batch holding it is stored (nor when the store fails), answers in
the order the frames came, and keeps the store queue within its bound."""
import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django.db import DataError

from jifang.alarms import dc09, services
from jifang.alarms.receiver import Limits, Panel, Receiver, _Tcp

pytestmark = pytest.mark.clause("art_12__para_1")

COPIES = {"device_id": 1, "system_id": 1, "site_id": 1, "unit_id": 1, "district_id": "530102"}


def burglary(seq: int) -> bytes:
    return dc09.message("ADM-CID", seq, "1234", f"#1234|1130 01 {seq % 1000:03d}")


def undecodable(seq: int) -> bytes:
    """Well framed, known account, data that is no Contact ID: answered DUH at once."""
    return dc09.message("ADM-CID", seq, "1234", "#1234|not contact id")


class FakeTransport(asyncio.Transport):
    def __init__(self, protocol, stored: list):
        super().__init__()
        self.protocol, self.stored = protocol, stored
        self.written: list[tuple[bytes, int]] = []  # (reply, messages stored when it was written)
        self.paused = self.closed = False

    def get_extra_info(self, name, default=None):
        return ("127.0.0.1", 40000) if name == "peername" else default

    def write(self, data):
        self.written.append((data, len(self.stored)))

    def pause_reading(self):
        self.paused = True

    def resume_reading(self):
        self.paused = False

    def is_closing(self):
        return self.closed

    def close(self):
        if not self.closed:
            self.closed = True
            self.protocol.connection_lost(None)

    abort = close


async def _run(chunks: list[bytes], cuts: list[int], queue_size: int, failing: set[int], writers: int,
               refusal: type[Exception], monkeypatch) -> tuple:
    stored: list[str] = []
    batches = []

    def store(items):
        batches.append(len(items))
        if writers > 1 and len(batches) % 2:  # with two writers, a later batch often commits first
            time.sleep(0.003)
        if any(int(i.message.frame.seq) in failing for i in items):
            raise refusal("database refused")
        stored.extend(i.message.frame.seq for i in items)
        return len(items)

    monkeypatch.setattr(services, "store_batch", store)
    receiver = Receiver(limits=Limits(queue_size=queue_size, batch_max=3, max_span=256, writers=writers))
    receiver.loop = asyncio.get_running_loop()
    receiver.panels["1234"] = Panel(7, COPIES, None)
    protocol = _Tcp(receiver)
    transport = FakeTransport(protocol, stored)
    protocol.connection_made(transport)
    stream, pos, i, most_waiting = b"".join(chunks), 0, 0, 0
    while pos < len(stream):
        while transport.paused:  # a real transport delivers nothing while reading is paused
            await asyncio.sleep(0.001)
        size = cuts[i % len(cuts)]
        protocol.data_received(stream[pos:pos + size])
        most_waiting = max(most_waiting, len(receiver.pending))
        pos, i = pos + size, i + 1
    for _ in range(2000):
        if not (receiver.pending or receiver.storing or protocol.replies):
            break
        await asyncio.sleep(0.002)
    receiver.writer_pool.shutdown(wait=True)
    receiver.reader_pool.shutdown(wait=True)
    protocol.connection_lost(None)
    return transport.written, stored, most_waiting, protocol


@settings(max_examples=120, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=30), st.integers(1, 30).map(burglary),
                          st.integers(1, 30).map(undecodable)), min_size=1, max_size=12),
       st.lists(st.integers(1, 90), min_size=1, max_size=10), st.integers(1, 4),
       st.sets(st.integers(1, 30), max_size=3), st.integers(1, 2), st.sampled_from([RuntimeError, DataError]))
def test_fuzz_tcp_protocol_acks_only_what_is_stored_in_order(chunks, cuts, queue_size, failing, writers, refusal):
    """writers=2: two batches in the database at once (PostgreSQL), committing in either order.
    refusal: the database fails a batch holding a failing message (RuntimeError: down, nothing of
    the batch stored) or refuses that message's data (DataError: the others are stored alone)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        # in a thread of its own: the worker's thread may hold another test's running loop (Playwright)
        with ThreadPoolExecutor(1) as thread:
            written, stored, most_waiting, protocol = thread.submit(
                asyncio.run, _run(chunks, cuts, queue_size, failing, writers, refusal, monkeypatch)).result()
    assert most_waiting <= queue_size
    acked, answered = [], []
    for reply, stored_then in written:
        assert reply.startswith(b"\n") and reply.endswith(b"\r")
        answered.append(reply[reply.index(b'"', 10) + 1:][:4].decode())
        if b'"ACK"' in reply:
            seq = answered[-1]
            acked.append(seq)
            assert seq in stored[:stored_then]  # stored (committed) before its ACK was written
            assert int(seq) not in failing
    assert sorted(acked) == sorted(stored)  # each stored message answered once
    frames = [c for c in chunks if isinstance(dc09.read_frame(c), dc09.Frame)]
    sent = iter(seq_of(raw) for raw in frames)
    assert all(seq in sent for seq in answered)  # replies follow the frames' order (a subsequence of it)
    if len(frames) == len(chunks) and not failing:  # no garbage, no failure: every frame answered
        assert len(answered) == len(frames)
    if refusal is DataError and len(frames) == len(chunks):  # a refused message costs no other its ACK
        ackable = {seq_of(raw) for raw in frames if b"not contact id" not in raw} - {f"{n:04d}" for n in failing}
        assert set(acked) == ackable
    assert not protocol.replies  # nothing left owed


def seq_of(raw: bytes) -> str:
    return raw[raw.index(b'"ADM-CID"') + 9:][:4].decode()


def _acks_and_stored(chunks, failing, refusal):
    with pytest.MonkeyPatch.context() as monkeypatch, ThreadPoolExecutor(1) as thread:
        written, stored, _, _ = thread.submit(
            asyncio.run, _run(chunks, [500], 4, failing, 1, refusal, monkeypatch)).result()
    return [reply for reply, _ in written if b'"ACK"' in reply], stored


def test_a_message_the_database_refuses_costs_its_batch_mates_nothing():
    """Three frames in one read are one batch. A value the database refuses (DataError) in the
    second: the first and third are stored alone and ACKed, the second gets no reply (its panel
    retries). With the database down (any other error) none is stored and none is ACKed."""
    chunks = [burglary(1), burglary(2), burglary(3)]
    acks, stored = _acks_and_stored(chunks, {2}, DataError)
    assert stored == ["0001", "0003"] and [seq_of_ack(a) for a in acks] == ["0001", "0003"]
    acks, stored = _acks_and_stored(chunks, {2}, RuntimeError)
    assert stored == [] and acks == []


def seq_of_ack(reply: bytes) -> str:
    return reply[reply.index(b'"ACK"') + 5:][:4].decode()
