"""The audit log survives an attacker with database access (issue 15 §2).

Each tamper is done straight in SQL with the guards (triggers) lifted, as someone owning the
database would; verification must name the first entry that cannot be trusted. What such a person
cannot do is sign with the platform key, which is not in the database."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from jifang.core import audit, checkpoints, guards, keys, platform_key
from jifang.core.models import AuditCheckpoint, AuditEntry, AuditHead

pytestmark = pytest.mark.django_db
JIFANG = str(Path(sys.executable).with_name("jifang"))


def _events(n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        audit.record(actor=None, action="test.event", note=f"事件 {i}")


def _sql(statement: str, params=()) -> None:
    with guards.suspended(connection), connection.cursor() as cur:
        cur.execute(statement, list(params))


def _rebuild_from(seq: int) -> None:
    """What an attacker does after changing entry `seq`: recompute every hash from there on, and the
    head, so that the chain is consistent again."""
    respell = connection.vendor != "sqlite"
    with guards.suspended(connection), connection.cursor() as cur:
        prev = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else audit.GENESIS
        for rows in audit._rows(1000):
            for row in rows:
                if row[0] < seq:
                    continue
                digest = audit._entry_digest(prev, row, respell)
                cur.execute("UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE seq = %s", [prev, digest, row[0]])
                prev = digest
        last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
        cur.execute("UPDATE core_audithead SET seq = %s, hash = %s WHERE id = 1", [last, prev])


@pytest.fixture
def chain(settings):
    """30 entries with a periodic checkpoint every 10 (at 10, 20, 30)."""
    settings.JIFANG_AUDIT_CHECKPOINT_EVERY = 10
    _events(30)
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [10, 20, 30]
    assert audit.verify().ok
    return AuditEntry.objects.order_by("seq")


# ---- the guards --------------------------------------------------------------------------------

def test_the_guards_refuse_update_and_delete_of_the_log_its_checkpoints_and_moving_the_head_back(chain):
    for statement in ("UPDATE core_auditentry SET note = 'x' WHERE seq = 3", "DELETE FROM core_auditentry WHERE seq = 30",
                      "UPDATE core_auditcheckpoint SET seq = 9 WHERE number = 1",
                      "DELETE FROM core_auditcheckpoint WHERE number = 3",
                      "UPDATE core_audithead SET seq = 20 WHERE id = 1", "DELETE FROM core_audithead"):
        with pytest.raises(DatabaseError, match="refused"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(seq=5).delete()
    assert AuditEntry.objects.count() == 30 and audit.verify().ok
    assert guards.installed(connection) >= {"core_auditentry", "core_auditcheckpoint", "core_audithead"}


# ---- tampering, each detected with the first bad link ----------------------------------------

def test_a_changed_entry_is_named(chain):
    _sql("UPDATE core_auditentry SET note = 'tampered' WHERE seq = 14")
    report = audit.verify()
    assert not report.ok and report.first_bad == 14


def test_a_deleted_entry_is_named(chain):
    _sql("DELETE FROM core_auditentry WHERE seq = 7")
    report = audit.verify()
    assert not report.ok and report.first_bad == 7 and "missing" in report.en


def test_reordered_entries_are_named(chain):
    # entries 12 and 13 change places (their sequence numbers swapped)
    _sql("UPDATE core_auditentry SET seq = -1 WHERE seq = 12")
    _sql("UPDATE core_auditentry SET seq = 12 WHERE seq = 13")
    _sql("UPDATE core_auditentry SET seq = 13 WHERE seq = -1")
    report = audit.verify()
    assert not report.ok and report.first_bad == 12


def test_a_cut_tail_is_detected_by_the_checkpoints(chain):
    _events(5, start=30)  # 31..35, the last checkpoint at 30
    _sql("DELETE FROM core_auditentry WHERE seq > 24")
    last = AuditEntry.objects.get(seq=24)
    _sql("UPDATE core_audithead SET seq = 24, hash = %s WHERE id = 1", [last.hash])
    report = audit.verify()
    assert not report.ok and report.first_bad == 25 and "cut" in report.en


def test_a_rebuilt_chain_is_detected_by_the_checkpoints(chain):
    _sql("UPDATE core_auditentry SET note = 'rewritten' WHERE seq = 15")
    _rebuild_from(15)
    report = audit.verify()
    # the hashes agree with each other; only the signed checkpoint at 20 still knows the old chain
    assert not report.ok and (report.first_bad, report.last_bad) == (11, 20) and "rebuilt" in report.en


def test_a_rebuilt_chain_with_forged_checkpoints_is_detected(chain):
    """Recomputing the checkpoints too needs the platform key: one made with another key fails."""
    _sql("UPDATE core_auditentry SET note = 'rewritten' WHERE seq = 15")
    _rebuild_from(15)
    forger = Ed25519PrivateKey.generate()
    prev = checkpoints.digest(audit.checkpoint_dict(AuditCheckpoint.objects.get(number=1)))
    for cp in AuditCheckpoint.objects.filter(number__gte=2).order_by("number"):
        data = {**audit.checkpoint_dict(cp), "hash": AuditEntry.objects.get(seq=cp.seq).hash, "prev": prev}
        data["signature"] = forger.sign(checkpoints.signed_text(data)).hex()
        _sql("UPDATE core_auditcheckpoint SET hash = %s, prev = %s, signature = %s WHERE id = %s",
             [data["hash"], data["prev"], data["signature"], cp.id])
        prev = checkpoints.digest(data)
    _sql("UPDATE core_audithead SET checkpoint_digest = %s WHERE id = 1", [prev])
    report = audit.verify()
    assert not report.ok and "checkpoint 2 is not signed by the platform key" in report.en


def test_a_removed_checkpoint_in_the_middle_is_detected(chain):
    _sql("DELETE FROM core_auditcheckpoint WHERE number = 2")
    report = audit.verify()
    assert not report.ok and "checkpoint 2 is missing" in report.en


def test_a_cut_tail_with_its_checkpoints_removed_is_caught_by_an_export_kept_elsewhere(chain, tmp_path):
    export = tmp_path / "checkpoints.json"
    call_command("audit", "checkpoints", "export", "-o", str(export))
    _sql("DELETE FROM core_auditentry WHERE seq > 20")
    _sql("DELETE FROM core_auditcheckpoint WHERE number = 3")
    cp2 = AuditCheckpoint.objects.get(number=2)
    _sql("UPDATE core_audithead SET seq = 20, hash = %s, checkpoint_number = 2, checkpoint_digest = %s WHERE id = 1",
         [cp2.hash, checkpoints.digest(audit.checkpoint_dict(cp2))])
    # the database alone is consistent again: this is why exports are kept outside it
    assert audit.verify().ok
    report = audit.verify(extra_checkpoints=json.loads(export.read_text())["checkpoints"])
    assert not report.ok and report.first_bad == 21
    with pytest.raises(Exception, match="21"):
        call_command("audit", "verify", "--checkpoints", str(export))


# ---- checkpoints: when they are made, and the offline check -----------------------------------

def test_a_bulk_append_crossing_the_period_is_checkpointed_at_its_end(settings):
    settings.JIFANG_AUDIT_CHECKPOINT_EVERY = 100
    audit.append([audit.pending(actor=None, action="test.bulk", note=str(i)) for i in range(250)])
    cp = AuditCheckpoint.objects.get()
    head = AuditHead.objects.get()
    assert (cp.seq, cp.hash, cp.reason) == (250, head.hash, "periodic") and head.checkpoint_number == 1
    assert platform_key.verify(cp.key_id, checkpoints.signed_text(audit.checkpoint_dict(cp)), cp.signature)
    audit.checkpoint()
    assert AuditCheckpoint.objects.count() == 2 and audit.verify().ok


def _offline(*args) -> subprocess.CompletedProcess:
    """`jifang audit verify-export` in a process whose database does not exist."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIFANG_")}
    env["JIFANG_DATABASE_URL"] = "postgres://nobody:nothing@127.0.0.1:1/none"
    return subprocess.run([JIFANG, "audit", "verify-export", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_an_export_verifies_offline_with_the_public_key_only(chain, tmp_path):
    export = tmp_path / "checkpoints.json"
    call_command("audit", "checkpoints", "export", "-o", str(export))
    public = platform_key.public_key()
    result = _offline(str(export), "--public-key", public)
    assert result.returncode == 0, result.stderr
    assert "3 checkpoints" in result.stdout and "entry 30" in result.stdout

    other = keys.public_hex(Ed25519PrivateKey.generate().public_key())
    assert _offline(str(export), "--public-key", other).returncode != 0
    data = json.loads(export.read_text())
    data["checkpoints"][1]["seq"] = 19
    export.write_text(json.dumps(data))
    result = _offline(str(export), "--public-key", public)
    assert result.returncode != 0 and "checkpoint 2 is not signed" in result.stderr


def test_a_row_whose_json_is_spelled_otherwise_still_verifies(chain):
    """Rows stored before canonical storage spell their JSON differently: the fast path (SQLite
    builds the hashed text) misses them and the slow path, which respells, vouches for them."""
    entry = audit.record(actor=None, action="test.json", after={"b": 1, "a": [1, "二"]})
    _sql("UPDATE core_auditentry SET after = %s WHERE seq = %s", ['{"a": [1, "\\u4e8c"],  "b": 1}', entry.seq])
    assert audit.verify().ok
    _sql("UPDATE core_auditentry SET after = %s WHERE seq = %s", ['{"a": [1, "三"], "b": 1}', entry.seq])
    assert audit.verify().first_bad == entry.seq


def test_verify_warns_when_guards_are_missing(chain, capsys):
    guards.lift_for_migrate()  # as a migrate that failed half-way leaves them
    call_command("audit", "verify")
    assert "guards missing on core_audit" in capsys.readouterr().err
    guards.install_current()  # what the next migrate does
    call_command("audit", "verify")
    assert "guards missing" not in capsys.readouterr().err
