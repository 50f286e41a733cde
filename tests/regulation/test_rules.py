"""Each rule of the Kunming pack: a violating case, a compliant case and the boundary between them."""
import datetime as dt

import pytest

from jifang.registry import models as m
from jifang.regulation.models import Finding
from tests import factories as f

from .conftest import AS_OF, open_findings


ART6 = "art6-mandatory-site-without-system"
ART6_10 = "art6-designated-site-without-system"
ART7 = "art7-audio-video-in-private-area"
ART13 = "art13-no-reserved-interface"
ART14 = "art14-in-use-without-acceptance"
ART15 = "art15-product-not-conforming"
ART19 = "art19-retention-below-minimum"


# ---- art_6 (一)-(九) ----------------------------------------------------------------------------

@pytest.mark.rule(ART6, "violating")
# Each point spelled out: the traceability report reads these marks from the source.
@pytest.mark.parametrize("point", [
    pytest.param(1, marks=pytest.mark.clause("art_6__para_1__point_1"), id="point-1"),
    pytest.param(2, marks=pytest.mark.clause("art_6__para_1__point_2"), id="point-2"),
    pytest.param(3, marks=pytest.mark.clause("art_6__para_1__point_3"), id="point-3"),
    pytest.param(4, marks=pytest.mark.clause("art_6__para_1__point_4"), id="point-4"),
    pytest.param(5, marks=pytest.mark.clause("art_6__para_1__point_5"), id="point-5"),
    pytest.param(6, marks=pytest.mark.clause("art_6__para_1__point_6"), id="point-6"),
    pytest.param(7, marks=pytest.mark.clause("art_6__para_1__point_7"), id="point-7"),
    pytest.param(8, marks=pytest.mark.clause("art_6__para_1__point_8"), id="point-8"),
    pytest.param(9, marks=pytest.mark.clause("art_6__para_1__point_9"), id="point-9"),
])
def test_art6_each_point_without_system_is_a_violation_of_that_point(scan, point):
    site = f.SiteFactory(art6_point=point)
    scan()
    assert open_findings(ART6) == {site.code: "violation"}
    finding = Finding.objects.get(rule_id=ART6)
    assert finding.clause_id == f"art_6__para_1__point_{point}"
    assert finding.clauses[0]["label"].startswith("第六条第（")
    assert finding.sanction["article"] == "art_24"


@pytest.mark.rule(ART6, "compliant")
@pytest.mark.clause("art_6__para_1__point_5")
def test_art6_site_with_a_system_in_use_is_compliant(scan):
    f.SystemFactory(site=f.SiteFactory(art6_point=5), status=m.SystemStatus.IN_USE)
    f.SiteFactory(art6_point=None)  # not a mandatory site: nothing to find
    scan()
    assert open_findings(ART6) == {}


@pytest.mark.rule(ART6, "boundary")
@pytest.mark.clause("art_6__para_1__point_8")
def test_art6_a_system_that_exists_but_is_not_in_use_does_not_count(scan):
    accepted_only = f.SiteFactory(art6_point=8)
    f.SystemFactory(site=accepted_only, status=m.SystemStatus.ACCEPTED)
    one_of_two_in_use = f.SiteFactory(art6_point=8)
    f.SystemFactory(site=one_of_two_in_use, status=m.SystemStatus.SUSPENDED)
    f.SystemFactory(site=one_of_two_in_use, status=m.SystemStatus.IN_USE)
    scan()
    assert open_findings(ART6) == {accepted_only.code: "violation"}


# ---- art_6 (十) -----------------------------------------------------------------------------------

def _designated(on: dt.date) -> m.Site:
    return f.SiteFactory(art6_point=10, designation_number="昆公技指〔2025〕1号", designation_date=on)


@pytest.mark.rule(ART6_10, "violating")
@pytest.mark.clause("art_6__para_1__point_10")
def test_art6_point10_designated_site_without_system(scan):
    site = _designated(dt.date(2025, 1, 1))
    scan()
    assert open_findings(ART6_10) == {site.code: "violation"}
    assert open_findings(ART6) == {}


@pytest.mark.rule(ART6_10, "compliant")
@pytest.mark.clause("art_6__para_1__point_10")
def test_art6_point10_designated_site_with_system_in_use(scan):
    f.SystemFactory(site=_designated(dt.date(2025, 1, 1)))
    scan()
    assert open_findings(ART6_10) == {}


@pytest.mark.rule(ART6_10, "boundary")
@pytest.mark.clause("art_6__para_1__point_10")
def test_art6_point10_designation_counts_from_its_date(scan):
    site = _designated(AS_OF)
    scan(as_of=AS_OF - dt.timedelta(days=1))
    assert open_findings(ART6_10) == {}
    scan(as_of=AS_OF)
    assert open_findings(ART6_10) == {site.code: "violation"}


# ---- art_7 -----------------------------------------------------------------------------------------

def _device_at(area_kind, kind=m.DeviceKind.CAMERA, **kw) -> m.Device:
    system = f.SystemFactory()
    part = f.SitePartFactory(site=system.site, area_kind=area_kind)
    return f.DeviceFactory(system=system, part=part, kind=kind, **kw)


@pytest.mark.rule(ART7, "violating")
@pytest.mark.clause("art_7__para_1")
@pytest.mark.parametrize("area_kind", sorted(m.PRIVATE_AREA_KINDS))
def test_art7_audio_video_device_in_each_private_area_kind(scan, area_kind):
    device = _device_at(area_kind, kind=m.DeviceKind.CAMERA)
    scan()
    assert open_findings(ART7) == {device.serial: "violation"}


@pytest.mark.rule(ART7, "compliant")
@pytest.mark.clause("art_7__para_1")
def test_art7_camera_at_an_entrance_and_detector_in_a_room_are_lawful(scan):
    _device_at(m.AreaKind.ENTRANCE, kind=m.DeviceKind.CAMERA)
    _device_at(m.AreaKind.HOTEL_ROOM, kind=m.DeviceKind.DETECTOR)
    f.DeviceFactory(part=None)
    scan()
    assert open_findings(ART7) == {}


@pytest.mark.rule(ART7, "boundary")
@pytest.mark.clause("art_7__para_1")
@pytest.mark.parametrize("kind", sorted(m.AUDIO_VIDEO_KINDS))
def test_art7_every_audio_video_kind_counts_until_removed(scan, kind):
    device = _device_at(m.AreaKind.FITTING_ROOM, kind=kind)
    _device_at(m.AreaKind.FITTING_ROOM, kind=kind, status=m.DeviceStatus.REMOVED)
    scan()
    assert open_findings(ART7) == {device.serial: "violation"}


# ---- art_13 para 1 ---------------------------------------------------------------------------------

@pytest.mark.rule(ART13, "violating")
@pytest.mark.clause("art_13__para_1")
def test_art13_system_in_use_or_accepted_without_reserved_interface(scan):
    in_use = f.SystemFactory(reserved_interface=False)
    accepted = f.SystemFactory(reserved_interface=False, status=m.SystemStatus.ACCEPTED)
    scan()
    assert open_findings(ART13) == {in_use.code: "violation", accepted.code: "violation"}


@pytest.mark.rule(ART13, "compliant")
@pytest.mark.clause("art_13__para_1")
def test_art13_reserved_interface_is_compliant(scan):
    f.SystemFactory(reserved_interface=True)
    scan()
    assert open_findings(ART13) == {}


@pytest.mark.rule(ART13, "boundary")
@pytest.mark.clause("art_13__para_1")
def test_art13_unknown_interface_is_undetermined_and_planned_systems_are_not_judged(scan):
    unknown = f.SystemFactory(reserved_interface=None)
    f.SystemFactory(reserved_interface=False, status=m.SystemStatus.PLANNED)
    f.SystemFactory(reserved_interface=None, status=m.SystemStatus.UNDER_CONSTRUCTION)
    scan()
    assert open_findings(ART13) == {unknown.code: "undetermined"}


# ---- art_14 para 2 ---------------------------------------------------------------------------------

@pytest.mark.rule(ART14, "violating")
@pytest.mark.clause("art_14__para_2")
@pytest.mark.parametrize("result", [m.AcceptanceResult.NONE, m.AcceptanceResult.FAILED])
def test_art14_in_use_without_passed_acceptance(scan, result):
    system = f.SystemFactory(acceptance_result=result)
    scan()
    assert open_findings(ART14) == {system.code: "violation"}


@pytest.mark.rule(ART14, "compliant")
@pytest.mark.clause("art_14__para_2")
def test_art14_in_use_after_passing_acceptance(scan):
    f.SystemFactory(acceptance_result=m.AcceptanceResult.PASSED)
    scan()
    assert open_findings(ART14) == {}


@pytest.mark.rule(ART14, "boundary")
@pytest.mark.clause("art_14__para_2")
def test_art14_not_yet_in_use_is_not_judged(scan):
    f.SystemFactory(status=m.SystemStatus.UNDER_CONSTRUCTION, acceptance_result=m.AcceptanceResult.NONE)
    f.SystemFactory(status=m.SystemStatus.SUSPENDED, acceptance_result=m.AcceptanceResult.FAILED)
    scan()
    assert open_findings(ART14) == {}


# ---- art_15 para 2 ---------------------------------------------------------------------------------

@pytest.mark.rule(ART15, "violating")
@pytest.mark.clause("art_15__para_2")
def test_art15_product_neither_catalogued_nor_standard(scan):
    device = f.DeviceFactory(product=f.ProductFactory(in_catalogue=False, meets_standard=False))
    scan()
    assert open_findings(ART15) == {device.serial: "violation"}


@pytest.mark.rule(ART15, "compliant")
@pytest.mark.clause("art_15__para_2")
def test_art15_catalogue_or_standard_is_enough(scan):
    f.DeviceFactory(product=f.ProductFactory(in_catalogue=True, meets_standard=False))
    f.DeviceFactory(product=f.ProductFactory(in_catalogue=False, meets_standard=True))
    scan()
    assert open_findings(ART15) == {}


@pytest.mark.rule(ART15, "boundary")
@pytest.mark.clause("art_15__para_2")
def test_art15_no_product_recorded_is_undetermined(scan):
    device = f.DeviceFactory(product=None)
    f.DeviceFactory(product=None, status=m.DeviceStatus.REMOVED)
    scan()
    assert open_findings(ART15) == {device.serial: "undetermined"}


# ---- art_19 ----------------------------------------------------------------------------------------

@pytest.mark.rule(ART19, "violating")
@pytest.mark.clause("art_19__para_1")
def test_art19_retention_below_30_days(scan):
    system = f.SystemFactory(retention_days=7)
    scan()
    assert open_findings(ART19) == {system.code: "violation"}


@pytest.mark.rule(ART19, "compliant")
@pytest.mark.clause("art_19__para_1")
def test_art19_retention_of_90_days_and_systems_without_video(scan):
    f.SystemFactory(retention_days=90)
    f.SystemFactory(retention_days=5, has_audio_video=False)
    f.SystemFactory(retention_days=5, status=m.SystemStatus.RETIRED)
    scan()
    assert open_findings(ART19) == {}


@pytest.mark.rule(ART19, "boundary")
@pytest.mark.clause("art_19__para_1")
def test_art19_29_days_violates_30_days_complies_unknown_is_undetermined(scan):
    day29 = f.SystemFactory(retention_days=29)
    f.SystemFactory(retention_days=30)
    unknown = f.SystemFactory(retention_days=None)
    scan()
    assert open_findings(ART19) == {day29.code: "violation", unknown.code: "undetermined"}
    facts = Finding.objects.get(subject_key=day29.code, rule_id=ART19).facts
    assert facts["retention_days"] == 29
    assert facts["parameters"]["retention_days_min"] == {"value": 30, "unit": "days", "clause": "art_19__para_1"}


# ---- dates -----------------------------------------------------------------------------------------

@pytest.mark.clause("art_27__para_1")
def test_before_2013_the_pack_yields_nothing(scan):
    f.SiteFactory(art6_point=1)
    f.SystemFactory(retention_days=1, reserved_interface=False, acceptance_result=m.AcceptanceResult.FAILED)
    _device_at(m.AreaKind.PUBLIC_TOILET)
    f.DeviceFactory(product=f.ProductFactory(in_catalogue=False, meets_standard=False))
    run = scan(as_of=dt.date(2012, 12, 31))
    assert run.counts["packs"] == [] and run.counts["violation"] == 0
    run = scan(as_of=dt.date(2013, 1, 1))
    # one per rule: art_6, art_7, art_13, art_14, art_15, art_19
    assert run.counts["violation"] == 6
