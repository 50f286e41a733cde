"""Signed records survive an attacker with database access (issue 15 §2).

The attacker edits rows straight in SQL with the guards (triggers) lifted, recomputes every hash
the database holds, swaps keys and re-signs; what they cannot do is sign with the platform key,
which enrolled each officer's key and is not in the database."""
import datetime as dt
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from jifang.core import audit, keys
from jifang.core.models import AuditCheckpoint, AuditEntry, AuditHead
from jifang.enforcement import documents, records, services, signing
from jifang.enforcement.models import (
    CaseStatus, Inspection, OfficerKey, OrderStatus, PenaltyAmount, PenaltyCase, RectificationOrder, Signature,
)

from .conftest import behind_the_back, make_finding

pytestmark = pytest.mark.django_db
ART6 = "art_6__para_1__point_5"


def _signed_inspection(officer, site, clock, text="监控室录像保存15日"):
    insp = services.inspection_create(actor=officer, site=site, inspected_on=clock.today(), observations=text)
    services.inspection_sign(actor=officer, inspection=insp)
    return Inspection.objects.get(pk=insp.pk)


def _swap_key_and_resign(insp: Inspection, officer) -> None:
    """The reproduction: edit the record, swap the officer's public key for one the attacker holds,
    recompute the record's hash and re-sign it: every hash in the database agrees again."""
    forger = Ed25519PrivateKey.generate()
    public = keys.public_hex(forger.public_key())
    with behind_the_back(), connection.cursor() as cur:
        cur.execute("UPDATE enforcement_inspection SET observations = %s WHERE id = %s", ["监控室录像保存30日", insp.pk])
        digest = records.seal_hash(records.INSPECTION, Inspection.objects.get(pk=insp.pk))
        cur.execute("UPDATE enforcement_inspection SET sealed_hash = %s WHERE id = %s", [digest, insp.pk])
        cur.execute("UPDATE enforcement_officerkey SET public_key = %s, fingerprint = %s WHERE officer_id = %s",
                    [public, hashlib.sha256(bytes.fromhex(public)).hexdigest()[:16], officer.pk])
        cur.execute("UPDATE enforcement_signature SET public_key = %s, record_hash = %s, signature = %s "
                    "WHERE record_type = %s AND record_id = %s",
                    [public, digest, forger.sign(bytes.fromhex(digest)).hex(), records.INSPECTION, insp.pk])


@pytest.mark.clause("art_23__para_1")
def test_an_edited_record_with_a_swapped_key_and_a_new_signature_fails_verification(
        client, wuhua_officer, wuhua_site, clock):
    insp = _signed_inspection(wuhua_officer, wuhua_site, clock)
    assert records.verification(records.INSPECTION, insp).ok
    _swap_key_and_resign(insp, wuhua_officer)
    insp = Inspection.objects.get(pk=insp.pk)
    check = records.verification(records.INSPECTION, insp)
    assert check.hash_ok  # the database is consistent with itself...
    assert not check.ok   # ...but the key is not the one the platform enrolled
    assert check.problems == [("wuhua 的签名密钥未经平台登记（密钥被替换）",
                               "wuhua's signing key was not enrolled by the platform (the key was swapped)")]
    client.force_login(wuhua_officer)
    html = client.get(reverse("enforcement:verify", args=[insp.verify_code])).content.decode()
    assert 'data-testid="verify-bad"' in html and 'data-testid="verify-ok"' not in html
    assert "签名有效，记录未被改动" not in html and "密钥被替换" in html
    answer = client.get(reverse("enforcement-inspection-verification", args=[insp.pk])).json()
    assert answer["ok"] is False and answer["problems"][0][1].endswith("(the key was swapped)")


def test_an_enrolment_copied_from_another_officer_does_not_hold(wuhua_officer, city_officer, wuhua_site, clock):
    _signed_inspection(wuhua_officer, wuhua_site, clock)
    insp = _signed_inspection(city_officer, wuhua_site, clock)
    mine, theirs = OfficerKey.objects.get(officer=city_officer), OfficerKey.objects.get(officer=wuhua_officer)
    assert signing.enrolment_ok(mine) and signing.enrolment_ok(theirs)
    with behind_the_back(), connection.cursor() as cur:  # city's row takes wuhua's enrolment wholesale
        cur.execute("UPDATE enforcement_officerkey SET enrolled_at = %s, enrolment_signature = %s WHERE id = %s",
                    [theirs.enrolled_at, theirs.enrolment_signature, mine.pk])
    assert not signing.enrolment_ok(OfficerKey.objects.get(pk=mine.pk))
    assert not records.verification(records.INSPECTION, insp).ok


def test_a_key_enrolled_by_another_platform_key_does_not_hold(wuhua_officer, wuhua_site, clock):
    insp = _signed_inspection(wuhua_officer, wuhua_site, clock)
    key = OfficerKey.objects.get(officer=wuhua_officer)
    other = Ed25519PrivateKey.generate()
    forged = other.sign(signing.enrolment_text(key.officer_id, key.public_key, key.enrolled_at)).hex()
    with behind_the_back(), connection.cursor() as cur:
        cur.execute("UPDATE enforcement_officerkey SET enrolment_key_id = %s, enrolment_signature = %s WHERE id = %s",
                    [keys.key_id(keys.public_hex(other.public_key())), forged, key.pk])
    assert not records.verification(records.INSPECTION, insp).ok


# ---- the guards ------------------------------------------------------------------------------

def _refused(statement: str, params=()) -> None:
    with pytest.raises(DatabaseError, match="refused"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(statement, list(params))


def test_the_guards_refuse_edits_of_signed_records_and_leave_later_acts_writable(
        wuhua_officer, unit_user, wuhua_site, clock):
    draft = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    Inspection.objects.filter(pk=draft.pk).update(observations="草稿可改")  # not signed yet: writable
    insp = _signed_inspection(wuhua_officer, wuhua_site, clock)
    _refused("UPDATE enforcement_inspection SET observations = 'x' WHERE id = %s", [insp.pk])
    _refused("DELETE FROM enforcement_inspection WHERE id = %s", [insp.pk])
    _refused("UPDATE enforcement_checklistitem SET result = 'violation' WHERE inspection_id = %s", [insp.pk])
    _refused("DELETE FROM enforcement_inspection_inspectors WHERE inspection_id = %s", [insp.pk])
    _refused("UPDATE enforcement_signature SET signature = 'x'")
    _refused("DELETE FROM enforcement_signature")
    _refused("UPDATE enforcement_officerkey SET public_key = 'x'")

    order = services.rectification_order_issue(actor=wuhua_officer, findings=[make_finding(wuhua_site, ART6)],
                                               deadline=clock.today() + dt.timedelta(days=10))
    _refused("UPDATE enforcement_rectificationorder SET deadline = '2099-01-01' WHERE id = %s", [order.pk])
    _refused("UPDATE enforcement_orderitem SET finding_id = finding_id + 0, order_id = %s WHERE order_id = %s",
             [insp.pk + 1000, order.pk])
    _refused("DELETE FROM enforcement_orderitem WHERE order_id = %s", [order.pk])
    # the unit's answer is a later act, not part of the sealed order
    services.rectification_order_answer(actor=unit_user, order=order, response="已整改")
    assert RectificationOrder.objects.get(pk=order.pk).status == OrderStatus.ANSWERED
    assert records.verification(records.ORDER, order).ok
    assert {"enforcement_inspection", "enforcement_signature", "enforcement_penaltydecision",
            "enforcement_penaltycase", "enforcement_penaltyamount"} <= _installed()


def _installed():
    from jifang.core import guards

    return guards.installed(connection)


# ---- documents, decisions, checkpoints --------------------------------------------------------

def test_no_pdf_of_a_record_that_fails_verification(client, wuhua_officer, wuhua_site, clock):
    insp = _signed_inspection(wuhua_officer, wuhua_site, clock)
    assert documents.inspection_pdf(insp).content.startswith(b"%PDF")
    with behind_the_back():
        Inspection.objects.filter(pk=insp.pk).update(observations="事后改动")
    insp = Inspection.objects.get(pk=insp.pk)
    with pytest.raises(documents.NotVerified, match="differs from what was signed"):
        documents.inspection_pdf(insp)
    client.force_login(wuhua_officer)
    response = client.get(reverse("enforcement:document", args=["inspection", insp.pk]), follow=True)
    assert response["Content-Type"].startswith("text/html") and b"%PDF" not in response.content
    assert "不出具文书" in response.content.decode()
    assert AuditEntry.objects.filter(action="enforcement.document.refused", object_id=str(insp.pk)).exists()
    draft = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today())
    with pytest.raises(documents.NotVerified, match="not signed yet"):
        documents.inspection_pdf(draft)


def _decided(officer, site, clock, facts):
    from .test_services import _overdue

    finding = make_finding(site, ART6)
    order = _overdue(officer, [finding], clock)
    case = services.penalty_notice_issue(actor=officer, order=order, findings=[finding], amounts={"unit": 5000},
                                         facts="逾期未建立技防系统")
    services.penalty_statement_record(actor=officer, case=case, statement="已开始整改")
    return services.penalty_decide(actor=officer, case=case, amounts={"unit": 5000}, facts=facts)


@pytest.mark.clause("art_24__para_1")
def test_a_decision_is_a_new_sealed_record_and_the_notice_keeps_its_facts(wuhua_officer, wuhua_site, clock):
    decision = _decided(wuhua_officer, wuhua_site, clock, facts="经查证，逾期未建立技防系统，且未按期答复")
    case = PenaltyCase.objects.get(pk=decision.case_id)
    assert case.status == CaseStatus.DECIDED and case.facts == "逾期未建立技防系统"
    assert decision.facts == "经查证，逾期未建立技防系统，且未按期答复" and decision.statement == "已开始整改"
    assert records.verification(records.NOTICE, case).ok  # the notice's seal still holds
    assert records.verification(records.DECISION, decision).ok
    assert "逾期未建立技防系统" in records.notice_content(case)["facts"]
    with behind_the_back():
        PenaltyAmount.objects.filter(case=case, stage="decision").update(amount=1)
    assert not records.verification(records.DECISION, decision).ok and records.verification(records.NOTICE, case).ok
    _refused("UPDATE enforcement_penaltydecision SET facts = 'x' WHERE id = %s", [decision.pk])
    _refused("UPDATE enforcement_penaltycase SET facts = 'x' WHERE id = %s", [case.pk])


def test_every_signed_document_is_checkpointed(wuhua_officer, wuhua_site, clock):
    insp = _signed_inspection(wuhua_officer, wuhua_site, clock)
    cp = AuditCheckpoint.objects.order_by("-number").first()
    head = AuditHead.objects.get()
    sign_row = AuditEntry.objects.filter(action="enforcement.inspection.sign", object_id=str(insp.pk)).get()
    assert (cp.reason, cp.seq, cp.hash) == ("document", head.seq, head.hash) and cp.seq >= sign_row.seq
    decision = _decided(wuhua_officer, wuhua_site, clock, facts="")
    assert AuditCheckpoint.objects.filter(reason="document").count() == 4  # inspection, order, notice, decision
    assert decision.facts == "逾期未建立技防系统"  # no new facts: the notice's, copied
    assert audit.verify().ok


def test_one_of_two_inspectors_signatures_cannot_be_deleted(
        wuhua_officer, wuhua_site, clock):
    from .. import factories as f

    colleague = f.UserFactory(username="wuhua2", role="district_officer", division_id="530102")
    insp = services.inspection_create(actor=wuhua_officer, site=wuhua_site, inspected_on=clock.today(),
                                      inspectors=[colleague])
    services.inspection_sign(actor=wuhua_officer, inspection=insp)
    services.inspection_sign(actor=colleague, inspection=insp)
    with pytest.raises(DatabaseError), transaction.atomic():
        Signature.objects.filter(signer=colleague).delete()
    assert Signature.objects.filter(record_id=insp.pk).count() == 2


# ---- the migration that made decisions records of their own -----------------------------------

def _migrate(*target):
    from django.core.management import call_command

    call_command("migrate", *target, verbosity=0, interactive=False)


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_decisions_over_and_restores_the_notices_facts(wuhua_officer, wuhua_site, clock):
    """A decision made before the change wrote its facts over the notice's (breaking the notice's
    seal); the migration gives it a record of its own and restores the notice's facts from the
    notice's audit row, so that both verify again."""
    from cryptography.hazmat.primitives import serialization

    from jifang.core import guards
    from jifang.enforcement.models import PenaltyDecision

    migration = __import__("jifang.enforcement.migrations.0003_penalty_decisions_as_records_and_key_enrolment",
                           fromlist=["_old_fernet"])
    decision = _decided(wuhua_officer, wuhua_site, clock, facts="决定认定：逾期仍未建立技防系统")
    case, notice_facts = decision.case, decision.case.facts
    key = OfficerKey.objects.get(officer=wuhua_officer)
    raw = signing._private(key).private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                              serialization.NoEncryption())
    _migrate("enforcement", "0002_alter_inspection_kind_and_more")
    # the old shape: the decision's columns on the case, its facts written over the notice's
    with guards.suspended(connection), connection.cursor() as cur:
        cur.execute("UPDATE enforcement_penaltycase SET decision_number = %s, decision_hash = %s, "
                    "decision_verify_code = %s, decided_by_id = %s, decided_at = %s, decision_served_at = %s, "
                    "facts = %s WHERE id = %s",
                    [decision.number, decision.sealed_hash, decision.verify_code, wuhua_officer.pk, decision.decided_at,
                     decision.served_at, decision.facts, case.pk])
        cur.execute("UPDATE enforcement_signature SET record_id = %s WHERE record_type = %s",
                    [case.pk, records.DECISION])
        cur.execute("UPDATE enforcement_officerkey SET private_key_encrypted = %s",
                    [migration._old_fernet().encrypt(raw).decode()])
    _migrate()

    carried = PenaltyDecision.objects.get(case_id=case.pk)
    case = PenaltyCase.objects.get(pk=case.pk)
    assert (carried.number, carried.facts, case.facts) == (decision.number, decision.facts, notice_facts)
    assert records.verification(records.DECISION, carried).ok
    assert records.verification(records.NOTICE, case).ok
    key = OfficerKey.objects.get(officer=wuhua_officer)
    assert signing.enrolment_ok(key) and signing._private(key).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex() == key.public_key
    assert AuditEntry.objects.filter(action="enforcement.penalty.decision_carried_over").count() == 1
    assert {"enforcement_penaltydecision", "enforcement_penaltycase"} <= guards.installed(connection)

