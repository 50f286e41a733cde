import datetime as dt
import decimal
import json

import pytest
from django.db import connection

from jifang.core import audit, bulk, guards
from jifang.core.models import AuditEntry, AuditHead
from jifang.registry.models import Device
from jifang.registry import services
from jifang.registry.models import UnitKind

from .. import factories as f

pytestmark = pytest.mark.django_db


def _unit(actor, name="五华测试单位"):
    return services.unit_create(
        actor=actor, name=name, credit_code=f.credit_code("530102"), kind=UnitKind.BUSINESS, district_id="530102"
    )


def test_a_change_and_its_audit_row_are_written_together(wuhua_officer):
    unit = _unit(wuhua_officer)
    services.unit_update(actor=wuhua_officer, unit=unit, address="昆明市五华区人民中路1号")
    rows = list(AuditEntry.objects.filter(object_type="registry.unit", object_id=str(unit.pk)).order_by("seq"))
    assert [r.action for r in rows] == ["registry.unit.create", "registry.unit.update"]
    assert rows[1].before["address"] == "" and rows[1].after["address"] == "昆明市五华区人民中路1号"
    assert rows[1].actor == wuhua_officer and rows[1].district_code == "530102"


def test_refused_change_leaves_no_trace(wuhua_officer, panlong_unit):
    before = AuditEntry.objects.count()
    with pytest.raises(Exception):
        services.unit_update(actor=wuhua_officer, unit=panlong_unit, address="x")
    panlong_unit.refresh_from_db()
    assert panlong_unit.address != "x"
    assert AuditEntry.objects.count() == before


def test_chain_verifies_and_detects_tampering(wuhua_officer):
    for i in range(3):
        _unit(wuhua_officer, name=f"单位{i}")
    assert audit.verify_chain() == (True, None)
    victim = AuditEntry.objects.order_by("seq")[1]
    # an edit behind the platform's back, by someone who first lifts the guards (tests/core/test_trust.py)
    with guards.suspended(connection), connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET note = %s WHERE id = %s", ["tampered", victim.id])
    ok, bad = audit.verify_chain()
    assert not ok and bad == victim.seq


def test_deleting_a_row_breaks_the_chain(wuhua_officer):
    for i in range(3):
        _unit(wuhua_officer, name=f"单位{i}")
    with guards.suspended(connection):
        AuditEntry.objects.order_by("seq")[1].delete()
    assert audit.verify_chain()[0] is False


def test_sign_in_is_recorded(client, wuhua_officer):
    from ..conftest import PASSWORD

    assert client.post("/accounts/login/", {"username": "wuhua", "password": PASSWORD}).status_code == 302
    client.post("/accounts/logout/")
    assert client.post("/accounts/login/", {"username": "wuhua", "password": "wrong-password"}).status_code == 200
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["auth.login", "auth.logout", "auth.login_failed"]


# --- the bulk path: canonical JSON once, stored as hashed -----------------------------------

TRICKY = ["", "引号\"反斜杠\\", "换行\n制表\t\x01", "emoji 🚓", "</script>", "a" * 300]


@pytest.mark.parametrize("text", TRICKY)
def test_an_entry_is_hashed_over_the_same_bytes_verify_reads(text):
    before = {"name": text, "n": 2**53 + 1, "x": 1.5, "none": None, "list": [True, False, {"k": text}]}
    after = {"when": dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC), "day": dt.date(2026, 1, 2),
             "amount": decimal.Decimal("12.50"), "pair": ("a", 1), "by_int": {7: "x", 10: "y", 9: "z"}}
    for actor_id in (None, 12):
        p = audit.Pending(actor_id=actor_id, actor_label=text, action="x.y.z", object_type="registry.device",
                          object_id="42", object_repr=text[:300], district_code="530102",
                          before=audit.json_text(before), after=audit.json_text(after), note=text)
        at = dt.datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)
        # what verify_chain hashes: the stored fields as the database gives them back
        stored = AuditEntry(seq=7, at=at, actor_id=actor_id, actor_label=p.actor_label, action=p.action,
                            object_type=p.object_type, object_id=p.object_id, object_repr=p.object_repr,
                            district_code=p.district_code, before=json.loads(p.before), after=json.loads(p.after),
                            note=p.note)
        assert p.text(7, at.isoformat()).encode() == audit.canonical(audit._hashed_fields(stored))


def test_json_text_is_a_fixed_point_even_with_non_string_keys():
    for value in ({9: "a", 10: "b", 100: {1: [2, {3: None}]}}, [{"b": 1, "a": 2}], {"d": dt.date(2026, 1, 1)}):
        text = audit.json_text(value)
        assert audit.canonical(json.loads(text)).decode() == text
    assert audit.json_text(None) is None


def _devices(n):
    system = f.SystemFactory()
    objs = [Device(serial=f"AUD{i:05d}", name=f"设备{i}\"", system=system, site_id=system.site_id,
                   unit_id=system.unit_id, district_id=system.district_id, kind="camera",
                   installed_on=dt.date(2025, 1, 1) if i % 2 else None) for i in range(n)]
    return bulk.insert_objects(Device, objs)


def test_a_bulk_record_verifies_reads_back_as_hashed_and_still_detects_tampering(wuhua_officer):
    _unit(wuhua_officer)  # a row before: the bulk rows chain on from it
    devices = _devices(2100)  # more than one insert statement
    assert audit.record_many(actor=wuhua_officer, action="registry.device.create", objects=devices, note="import") == 2100
    assert audit.verify_chain() == (True, None)
    rows = {int(e.object_id): e for e in AuditEntry.objects.filter(action="registry.device.create")}
    assert len(rows) == 2100
    seqs = [rows[d.pk].seq for d in devices]
    assert seqs == list(range(seqs[0], seqs[0] + 2100))  # chained in the objects' order
    for d in devices:
        e = rows[d.pk]
        assert e.after == json.loads(audit.json_text(audit.snapshot(d))) and e.before is None
        assert (e.actor_id, e.district_code, e.object_repr, e.note) == (wuhua_officer.pk, "530102", d.name, "import")
    if connection.vendor == "sqlite":  # stored as the very text that was hashed
        with connection.cursor() as cur:
            cur.execute("SELECT after FROM core_auditentry WHERE id = %s", [rows[devices[5].pk].id])
            assert cur.fetchone()[0] == audit.json_text(audit.snapshot(devices[5]))
    victim = rows[devices[1000].pk]
    with guards.suspended(connection):
        AuditEntry.objects.filter(pk=victim.pk).update(after={**victim.after, "name": "改"})
    assert audit.verify_chain() == (False, victim.seq)


def test_record_updates_keeps_before_and_after(wuhua_officer):
    (device,) = _devices(1)
    before = audit.snapshot(device)
    device.name = "新名称"
    assert audit.record_updates(actor=wuhua_officer, action="registry.device.update", pairs=[(device, before)]) == 1
    e = AuditEntry.objects.get(action="registry.device.update")
    assert (e.before["name"], e.after["name"]) == ("设备0\"", "新名称")
    assert audit.verify_chain() == (True, None)


def test_record_returns_the_row_as_stored(wuhua_officer):
    unit = _unit(wuhua_officer)
    entry = audit.record(actor=wuhua_officer, action="registry.unit.note", obj=unit, after={"k": [1, "二"]},
                         note="n")
    stored = AuditEntry.objects.get(pk=entry.pk)
    for name in ("seq", "at", "actor_id", "action", "object_id", "district_code", "before", "after", "hash",
                 "prev_hash"):
        assert getattr(entry, name) == getattr(stored, name), name
    assert audit.record_many(actor=wuhua_officer, action="x", objects=[]) == 0
    assert AuditHead.objects.get().seq == stored.seq


# --- verify: one pass inside the database for a whole log, the page walk otherwise ------------------

def _entries_with_escapes(actor):
    for i, text in enumerate(TRICKY):
        audit.record(actor=actor, action="registry.unit.update", note=text, before={"name": text}, after={"i": i})


def _respelled(n):
    """Give `n` rows' before another spelling of the same JSON, as rows stored before before/after
    were kept as hashed text have (jsonb's spacing): verify must check them again, not fail them."""
    rows = list(AuditEntry.objects.filter(before__isnull=False).order_by("seq")[:n])
    with guards.suspended(connection), connection.cursor() as cur:
        for row in rows:
            text = json.dumps(row.before, ensure_ascii=False, separators=(", ", ": "))
            cur.execute("UPDATE core_auditentry SET before = %s WHERE id = %s", [text, row.id])
    return rows


def test_a_whole_log_is_verified_in_one_pass_with_rows_that_need_escapes(wuhua_officer, monkeypatch):
    _entries_with_escapes(wuhua_officer)
    _unit(wuhua_officer)
    monkeypatch.setattr(audit, "_links", lambda batch: pytest.fail("the page walk ran on a whole log"))
    report = audit.verify()
    assert report.ok and report.entries == AuditEntry.objects.count()


def test_rows_spelled_otherwise_are_checked_again_and_many_go_to_the_page_walk(wuhua_officer, monkeypatch):
    _entries_with_escapes(wuhua_officer)
    assert len(_respelled(3)) == 3
    links, walked = audit._links, []
    monkeypatch.setattr(audit, "_links", lambda batch: walked.append(batch) or links(batch))
    assert audit.verify().ok and not walked
    monkeypatch.setattr(audit._Scan, "LIMIT", 2)
    report = audit.verify()
    assert walked and report.ok and report.entries == AuditEntry.objects.count()


@pytest.mark.parametrize("change", ["note", "prev_hash", "seq", "before"])
def test_a_fault_seen_by_the_one_pass_scan_is_named_by_the_page_walk(wuhua_officer, change):
    for i in range(4):
        _unit(wuhua_officer, name=f"单位{i}")
    victim = AuditEntry.objects.order_by("seq")[2]
    sql = {"note": "UPDATE core_auditentry SET note = 'x' WHERE id = %s",
           "prev_hash": "UPDATE core_auditentry SET prev_hash = hash WHERE id = %s",
           "seq": "UPDATE core_auditentry SET seq = seq + 1000 WHERE id = %s",
           "before": "UPDATE core_auditentry SET before = '{\"name\":\"x\"}' WHERE id = %s"}[change]
    with guards.suspended(connection), connection.cursor() as cur:
        cur.execute(sql, [victim.id])
    report = audit.verify()
    assert not report.ok and report.first_bad == victim.seq


def test_before_and_after_are_stored_in_the_spelling_that_was_hashed(wuhua_officer):
    entry = audit.record(actor=wuhua_officer, action="registry.unit.update", before={"名": "甲", "b": [1, 2.5]},
                         after={"a": None})
    with connection.cursor() as cur:
        cur.execute("SELECT before, after FROM core_auditentry WHERE seq = %s", [entry.seq])
        assert cur.fetchone() == ('{"b":[1,2.5],"名":"甲"}', '{"a":null}')
    assert AuditEntry.objects.get(seq=entry.seq).before == {"名": "甲", "b": [1, 2.5]}
