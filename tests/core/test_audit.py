import pytest
from django.db import connection

from jifang.core import audit
from jifang.core.models import AuditEntry
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
    with connection.cursor() as cur:  # an edit behind the platform's back
        cur.execute("UPDATE core_auditentry SET note = %s WHERE id = %s", ["tampered", victim.id])
    ok, bad = audit.verify_chain()
    assert not ok and bad == victim.seq


def test_deleting_a_row_breaks_the_chain(wuhua_officer):
    for i in range(3):
        _unit(wuhua_officer, name=f"单位{i}")
    AuditEntry.objects.order_by("seq")[1].delete()
    assert audit.verify_chain()[0] is False


def test_sign_in_is_recorded(client, wuhua_officer):
    from ..conftest import PASSWORD

    assert client.post("/accounts/login/", {"username": "wuhua", "password": PASSWORD}).status_code == 302
    client.post("/accounts/logout/")
    assert client.post("/accounts/login/", {"username": "wuhua", "password": "wrong-password"}).status_code == 200
    actions = list(AuditEntry.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["auth.login", "auth.logout", "auth.login_failed"]
