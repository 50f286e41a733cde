"""Order 799 art. 17 judged on what the devices proved over GB/T 28181, beside Kunming art_19."""
import datetime as dt

import pytest

from jifang.registry.models import PublicVideoClass
from jifang.regulation import services as regulation
from jifang.regulation.models import Finding

from .test_art19 import _iso, _proof

PROVEN_SHORT = "o799-art17-retention-proven-short"
DECLARED = "o799-art17-retention-below-minimum"


def _classified(system, cls=""):
    """The factory's systems are exempt art. 9 ones; "" (unclassified) is held to art. 17."""
    system.public_video_class = cls
    system.save(update_fields=["public_video_class"])
    return system


def _open(rule_id):
    return list(Finding.objects.filter(rule_id=rule_id, status="open"))


@pytest.mark.clause("cn-order-2025-799#art_17__para_1")
@pytest.mark.rule(PROVEN_SHORT, "violating")
@pytest.mark.django_db
def test_a_proven_shortfall_breaks_art17_whatever_was_declared():
    system = _classified(_proof(30, lambda w: []))     # the device lists no recording in the window
    assert system.video_retention.verdict == "short"
    regulation.scan(actor=None)
    [finding] = _open(PROVEN_SHORT)
    assert finding.subject_id == system.pk and finding.clause_id == "art_17__para_1"
    assert not _open(DECLARED)
    assert _open("art19-retention-proven-short")      # the Kunming order: its own finding


@pytest.mark.clause("cn-order-2025-799#art_17__para_1")
@pytest.mark.rule(PROVEN_SHORT, "compliant")
@pytest.mark.rule(DECLARED, "compliant")
@pytest.mark.django_db
def test_a_proof_of_30_days_outweighs_a_low_declared_value():
    _classified(_proof(20, lambda w: [{"StartTime": _iso(w[0] - dt.timedelta(days=1)), "EndTime": _iso(w[1])}]))
    regulation.scan(actor=None)
    assert not _open(PROVEN_SHORT) and not _open(DECLARED)


@pytest.mark.clause("cn-order-2025-799#art_9__para_2")
@pytest.mark.rule(PROVEN_SHORT, "boundary")
@pytest.mark.django_db
def test_an_art9_system_is_exempt_even_when_proven_short():
    _classified(_proof(30, lambda w: []), PublicVideoClass.OTHER_PUBLIC)
    regulation.scan(actor=None)
    assert not _open(PROVEN_SHORT)
    assert _open("art19-retention-proven-short")      # Kunming art_19 has no such exemption
