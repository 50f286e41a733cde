"""Each rule of the order 799 pack: a violating case, a compliant case and the boundary between them,
and the pack's first day (nothing from it before 2025-04-01)."""
import datetime as dt

import pytest

from jifang.registry import models as m
from jifang.regulation.models import Finding
from tests import factories as f

from .conftest import KUNMING, NATIONAL, open_findings

ROOM = "o799-art8-device-in-prohibited-room"
SPOT = "o799-art8-device-at-privacy-spot"
NO_CONSENT = "o799-art10-no-consent-of-secret-unit"
LATE_CONSENT = "o799-art10-consent-after-going-live"
SIGN = "o799-art13-camera-without-sign"
RETENTION = "o799-art17-retention-below-minimum"
KUNMING_ART7 = "art7-audio-video-in-private-area"
KUNMING_ART19 = "art19-retention-below-minimum"


def _system(**fields):
    """An unclassified system (the factory's default is an exempt art. 9 one): every duty applies."""
    return f.SystemFactory(**{"public_video_class": "", **fields})


def _device_in(area_kind, *, system=None, privacy_spot=False, **device):
    system = system or _system()
    part = f.SitePartFactory(site=system.site, area_kind=area_kind, privacy_spot=privacy_spot)
    return f.DeviceFactory(system=system, part=part, **device)


# ---- art. 8 para. 1 items 1-4: prohibited rooms -------------------------------------------------

@pytest.mark.rule(ROOM, "violating")
@pytest.mark.parametrize("area_kind, point", [
    pytest.param("hotel_room", 1, marks=pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_1"), id="hotel"),
    pytest.param("guesthouse_room", 1, marks=pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_1"), id="minsu"),
    pytest.param("restaurant_room", 1, marks=pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_1"), id="restaurant"),
    pytest.param("hostel_room", 1, marks=pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_1"), id="hostel"),
    pytest.param("student_dormitory", 2, marks=pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_2"), id="dorm"),
    pytest.param("staff_rest_room", 2, marks=pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_2"), id="staff"),
    pytest.param("public_toilet", 3, marks=pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_3"), id="toilet"),
    pytest.param("nursing_room", 3, marks=pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_3"), id="nursing"),
    pytest.param("other_private", 4, marks=pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_4"), id="other"),
])
def test_art8_device_in_a_prohibited_room_cites_its_item_and_the_art27_sanction(scan, area_kind, point):
    device = _device_in(area_kind)
    scan()
    assert open_findings(ROOM) == {device.serial: "violation"}
    finding = Finding.objects.get(rule_id=ROOM)
    assert finding.pack_id == NATIONAL and finding.clause_id == f"art_8__para_1__point_{point}"
    assert finding.clauses[0]["label"] == f"第八条第一款第{'一二三四'[point - 1]}项"
    assert finding.sanction["article"] == "art_27__para_1" and finding.sanction["order_first"] is False
    assert {x["measure"] for x in finding.sanction["measures"]} == {"confiscate_equipment", "delete_footage"}
    assert "（" in finding.explanation_zh and area_kind not in finding.explanation_zh  # the kind's label, not its key


@pytest.mark.rule(ROOM, "compliant")
@pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_1")
def test_art8_devices_outside_prohibited_rooms_removed_or_not_capturing_are_compliant(scan):
    _device_in("entrance")
    _device_in("hotel_room", status=m.DeviceStatus.REMOVED)
    _device_in("public_toilet", kind=m.DeviceKind.DETECTOR)
    scan()
    assert open_findings(ROOM) == {}


@pytest.mark.rule(ROOM, "boundary")
@pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_1")
@pytest.mark.clause("cn-order-2025-799#art_34__para_1")
def test_art8_applies_from_2025_04_01_and_not_in_non_public_places(scan):
    device = _device_in("guesthouse_room")
    private = _device_in("hotel_room", system=f.SystemFactory(public_video_class=m.PublicVideoClass.NON_PUBLIC))
    scan(as_of=dt.date(2025, 3, 31))
    assert open_findings(ROOM) == {}
    scan(as_of=dt.date(2025, 4, 1))
    assert open_findings(ROOM) == {device.serial: "violation"}
    # a minsu room is not in the Kunming art_7 list: the national law alone forbids it; the Kunming
    # order knows no art. 33 class, so the non-public hotel room is its finding alone
    assert open_findings(KUNMING_ART7) == {private.serial: "violation"}


@pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_1")
@pytest.mark.clause("art_7__para_1")
def test_a_hotel_room_camera_breaks_both_laws_one_finding_per_pack(scan):
    device = _device_in("hotel_room")
    scan()
    found = dict(Finding.objects.filter(subject_key=device.serial, status="open").values_list("pack_id", "clause_id"))
    assert found == {KUNMING: "art_7__para_1", NATIONAL: "art_8__para_1__point_1"}
    national = Finding.objects.get(pack_id=NATIONAL, subject_key=device.serial)
    unit = next(x for x in national.sanction["fines"] if x["target"] == "unit")
    assert (unit["min"], unit["max"]) == (10000, 20000)


# ---- art. 8 para. 1 item 4: a spot an officer marked ----------------------------------------------

@pytest.mark.rule(SPOT, "violating")
@pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_4")
def test_art8_item4_device_at_a_spot_an_officer_marked(scan):
    device = _device_in("office", privacy_spot=True)
    scan()
    assert open_findings(SPOT) == {device.serial: "violation"}
    assert Finding.objects.get(rule_id=SPOT).clause_id == "art_8__para_1__point_4"


@pytest.mark.rule(SPOT, "compliant")
@pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_4")
def test_art8_item4_unmarked_spot_is_compliant(scan):
    _device_in("office")
    scan()
    assert open_findings(SPOT) == {}


@pytest.mark.rule(SPOT, "boundary")
@pytest.mark.clause("cn-order-2025-799#art_8__para_1__point_4")
def test_art8_item4_a_marked_room_of_a_named_kind_is_found_once(scan):
    device = _device_in("public_bath", privacy_spot=True)
    scan()
    assert open_findings(SPOT) == {}
    assert open_findings(ROOM) == {device.serial: "violation"}


# ---- art. 10: near a secret-holding unit ----------------------------------------------------------

def _near_secret(consent_on=None, in_use_since=dt.date(2025, 5, 1), **system):
    site = f.SiteFactory(near_secret_unit=True, secret_unit_consent_on=consent_on,
                         secret_unit_consent_ref="同意〔2025〕1号" if consent_on else "")
    return _system(site=site, in_use_since=in_use_since, **system)


@pytest.mark.rule(NO_CONSENT, "violating")
@pytest.mark.clause("cn-order-2025-799#art_10__para_1")
def test_art10_video_near_a_secret_unit_without_consent(scan):
    system = _near_secret()
    scan()
    assert open_findings(NO_CONSENT) == {system.code: "violation"}
    finding = Finding.objects.get(rule_id=NO_CONSENT)
    assert finding.sanction["article"] == "art_28__para_1" and finding.clauses[0]["label"] == "第十条"


@pytest.mark.rule(NO_CONSENT, "compliant")
@pytest.mark.clause("cn-order-2025-799#art_10__para_1")
def test_art10_consent_on_record_or_no_secret_neighbour_is_compliant(scan):
    _near_secret(consent_on=dt.date(2025, 4, 20))
    _system()
    scan()
    assert open_findings(NO_CONSENT) == {} and open_findings(LATE_CONSENT) == {}


@pytest.mark.rule(NO_CONSENT, "boundary")
@pytest.mark.clause("cn-order-2025-799#art_10__para_1")
def test_art10_only_video_systems_in_use_need_consent(scan):
    _near_secret(status=m.SystemStatus.UNDER_CONSTRUCTION)
    _near_secret(has_audio_video=False, has_intrusion_alarm=True)
    live = _near_secret()
    scan()
    assert open_findings(NO_CONSENT) == {live.code: "violation"}


@pytest.mark.rule(LATE_CONSENT, "violating")
@pytest.mark.clause("cn-order-2025-799#art_10__para_1")
def test_art10_consent_given_after_going_live_is_not_prior_consent(scan):
    system = _near_secret(consent_on=dt.date(2025, 6, 1), in_use_since=dt.date(2025, 5, 1))
    scan()
    assert open_findings(LATE_CONSENT) == {system.code: "violation"}
    assert "2025-06-01" in Finding.objects.get(rule_id=LATE_CONSENT).explanation_en


@pytest.mark.rule(LATE_CONSENT, "compliant")
@pytest.mark.clause("cn-order-2025-799#art_10__para_1")
def test_art10_consent_before_going_live(scan):
    _near_secret(consent_on=dt.date(2025, 4, 1), in_use_since=dt.date(2025, 5, 1))
    scan()
    assert open_findings(LATE_CONSENT) == {}


@pytest.mark.rule(LATE_CONSENT, "boundary")
@pytest.mark.clause("cn-order-2025-799#art_10__para_1")
@pytest.mark.parametrize("consent_on, late", [(dt.date(2025, 5, 1), False), (dt.date(2025, 5, 2), True)])
def test_art10_consent_on_the_day_of_going_live_is_in_time_the_next_day_is_not(scan, consent_on, late):
    system = _near_secret(consent_on=consent_on, in_use_since=dt.date(2025, 5, 1))
    scan()
    assert open_findings(LATE_CONSENT) == ({system.code: "violation"} if late else {})


# ---- art. 13: a conspicuous sign per camera --------------------------------------------------------

@pytest.mark.rule(SIGN, "violating")
@pytest.mark.clause("cn-order-2025-799#art_13__para_1")
def test_art13_camera_recorded_without_a_sign(scan):
    camera = _device_in("entrance", signage=False)
    scan()
    assert open_findings(SIGN) == {camera.serial: "violation"}
    assert Finding.objects.get(rule_id=SIGN).sanction == {}   # art. 13 orders correction; no fine


@pytest.mark.rule(SIGN, "compliant")
@pytest.mark.clause("cn-order-2025-799#art_13__para_1")
def test_art13_camera_with_a_sign_is_compliant(scan):
    _device_in("entrance", signage=True)
    scan()
    assert open_findings(SIGN) == {}


@pytest.mark.rule(SIGN, "boundary")
@pytest.mark.clause("cn-order-2025-799#art_13__para_1")
def test_art13_unknown_sign_recorders_and_systems_not_in_use_give_nothing(scan):
    _device_in("entrance", signage=None)
    _device_in("entrance", signage=False, kind=m.DeviceKind.NVR)
    _device_in("entrance", signage=False, system=_system(status=m.SystemStatus.SUSPENDED))
    art9 = _device_in("entrance", signage=False, system=f.SystemFactory(public_video_class=m.PublicVideoClass.OTHER_PUBLIC))
    scan()
    # art. 9 para. 2 does not exempt art. 13: an other-public-place camera still needs its sign
    assert open_findings(SIGN) == {art9.serial: "violation"}


# ---- art. 17: retention ----------------------------------------------------------------------------

@pytest.mark.rule(RETENTION, "violating")
@pytest.mark.clause("cn-order-2025-799#art_17__para_1")
@pytest.mark.clause("art_19__para_1")
def test_art17_29_days_breaks_both_laws(scan):
    system = _system(retention_days=29)
    scan()
    assert open_findings(RETENTION) == {system.code: "violation"}
    assert open_findings(KUNMING_ART19) == {system.code: "violation"}
    finding = Finding.objects.get(rule_id=RETENTION)
    assert finding.facts["parameters"]["retention_days_min"] == {"value": 30, "unit": "days", "clause": "art_17__para_1"}
    assert "少于 30 日" in finding.explanation_zh


@pytest.mark.rule(RETENTION, "compliant")
@pytest.mark.clause("cn-order-2025-799#art_17__para_1")
def test_art17_30_days_is_compliant(scan):
    _system(retention_days=30)
    scan()
    assert open_findings(RETENTION) == {}


@pytest.mark.rule(RETENTION, "boundary")
@pytest.mark.clause("cn-order-2025-799#art_17__para_1")
@pytest.mark.clause("cn-order-2025-799#art_9__para_2")
def test_art17_art9_systems_are_exempt_unknown_is_undetermined(scan):
    f.SystemFactory(retention_days=29, public_video_class=m.PublicVideoClass.OTHER_PUBLIC)
    f.SystemFactory(retention_days=29, public_video_class=m.PublicVideoClass.NON_PUBLIC)
    operator = f.SystemFactory(retention_days=29, public_video_class=m.PublicVideoClass.TRANSPORT_HUB)
    unknown = _system(retention_days=None)
    scan()
    assert open_findings(RETENTION) == {operator.code: "violation", unknown.code: "undetermined"}
