"""The engine's compiled rules return exactly what the ORM queryset returns, area by area."""
import datetime as dt

import pytest

from jifang.registry import models as m
from jifang.regulation import engine, packs
from tests import factories as f

from .conftest import AS_OF


@pytest.fixture
def mixed(db):
    f.SystemFactory(retention_days=None, reserved_interface=None, acceptance_result=m.AcceptanceResult.FAILED)
    f.SystemFactory(retention_days=3, reserved_interface=False,
                    site=f.SiteFactory(unit=f.UnitFactory(district_id="530103", kind=m.UnitKind.UNKNOWN)))
    f.SiteFactory(art6_point=10, designation_number="指1", designation_date=dt.date(2024, 5, 6))
    device = f.DeviceFactory(product=None)
    f.DeviceFactory(system=device.system, part=f.SitePartFactory(site=device.site, area_kind=m.AreaKind.PUBLIC_BATH))
    return device.site


def test_compiled_rules_equal_the_orm_for_every_rule_and_area(mixed):
    areas = [engine.Area(), engine.Area(district="530102"), engine.Area(district="530103"),
             engine.Area(site_id=mixed.pk)]
    sites = sorted(m.Site.objects.values_list("pk", flat=True))
    areas += [engine.Area(site_ids=tuple(sites)), engine.Area(site_ids=(sites[0],)),
              engine.Area(site_ids=tuple(sites[1:]) + (10**9,))]  # padded to a compiled size; a missing site
    for pack in packs.active_packs(AS_OF):
        for rule in pack.rules:
            for area in areas:
                qs = engine.rule_queryset(pack, rule, AS_OF, area)
                expected = None if qs is None else list(qs)
                assert engine.run_rule(pack, rule, AS_OF, area) == expected, (rule.id, area)
    total = sum(len(engine.run_rule(p, r, AS_OF) or []) for p in packs.active_packs(AS_OF) for r in p.rules)
    assert total >= 6


def test_one_query_per_rule(mixed, django_assert_num_queries):
    pack = packs.get_pack("cn-530100-order-2012-116")
    rule = pack.rule("art19-retention-below-minimum")
    engine.run_rule(pack, rule, AS_OF, engine.Area(site_id=mixed.pk))  # compile once
    with django_assert_num_queries(1):
        engine.run_rule(pack, rule, AS_OF, engine.Area(site_id=mixed.pk + 1))


def test_a_batch_of_sites_is_each_rule_once_whatever_its_size(mixed, django_assert_num_queries):
    pack = packs.get_pack("cn-530100-order-2012-116")
    rule = pack.rule("art19-retention-below-minimum")
    sites = list(m.Site.objects.order_by("pk").values_list("pk", flat=True))
    one_by_one = [row for s in sites for row in engine.run_rule(pack, rule, AS_OF, engine.Area(site_id=s))]
    engine.run_rule(pack, rule, AS_OF, engine.Area(site_ids=tuple(sites)))  # compile once for this size
    with django_assert_num_queries(1):
        rows = engine.run_rule(pack, rule, AS_OF, engine.Area(site_ids=tuple(sites[:-1])))
    assert rows == [r for r in one_by_one if r["_site_id"] != sites[-1]] and rows


def test_a_compiled_rule_runs_on_the_callers_connection(transactional_db):
    """The compiled SQL is cached per thread, but Django may hand one thread another connection
    (inside a running event loop its connections are per context: the browser tests run Django code
    under Playwright's loop). A rule compiled on one connection and run inside another's transaction
    must read through the caller's: on SQLite the other connection met the transaction's table lock
    ("database table is locked"), on PostgreSQL it would not see the transaction's rows. The test
    gives the thread its other connection by hand (an event loop may already run here under xdist)."""
    from django.db import connections, transaction

    pack = packs.get_pack("cn-530100-order-2012-116")
    rule = pack.rule("art19-retention-below-minimum")
    engine.run_rule(pack, rule, AS_OF)  # compiled on this thread's connection
    plain, other = connections["default"], connections.create_connection("default")
    connections["default"] = other
    try:
        with transaction.atomic():
            system = f.SystemFactory(retention_days=3)
            found = [row["_subject_id"] for row in engine.run_rule(pack, rule, AS_OF)]
    finally:
        connections["default"] = plain
        other.close()
    assert found == [system.pk]


def _members(subject):
    return tuple((p, r) for p in packs.active_packs(AS_OF) for r in p.rules
                 if r.subject == subject and engine.period_ended(p, r, AS_OF))


@pytest.fixture
def devices_of_every_kind(mixed):
    """Devices each rule over devices finds, and devices none finds, beside `mixed`'s."""
    private = f.SitePartFactory(area_kind=m.AreaKind.HOTEL_ROOM)
    system = f.SystemFactory(site=private.site, public_video_class="art7_1", status=m.SystemStatus.IN_USE)
    spot = f.SitePartFactory(site=private.site, privacy_spot=True)
    f.DeviceFactory(system=system, part=private, kind=m.DeviceKind.CAMERA)
    f.DeviceFactory(system=system, part=spot, kind=m.DeviceKind.CAMERA, signage=False)
    f.DeviceFactory(system=system, part=None, kind=m.DeviceKind.NVR, product=None)
    f.DeviceFactory(system=system, part=private, kind=m.DeviceKind.CAMERA, status=m.DeviceStatus.REMOVED)
    return mixed


@pytest.mark.parametrize("subject", ["device", "system", "site"])
def test_a_subjects_rules_in_one_pass_give_each_rules_own_rows(devices_of_every_kind, subject):
    """run_group cuts from one query exactly the rows (same dicts, same order) each rule's own query
    gives, over the whole registry and a district; shown for every subject with several rules, so a
    subject can join engine.SHARED on the strength of this test."""
    members = _members(subject)
    assert len(members) > 1
    for area in (engine.Area(), engine.Area(district="530102"), engine.Area(district="530103")):
        expected = [engine.run_rule(p, r, AS_OF, area) for p, r in members]
        assert engine.run_group(members, AS_OF, area) == expected, area
    assert sum(len(rows) for rows in engine.run_group(members, AS_OF)) >= 1


def test_a_full_run_reads_each_shared_subject_once(devices_of_every_kind, django_assert_num_queries):
    in_force = packs.active_packs(AS_OF)
    rules = [(p, r) for p in in_force for r in p.rules]
    shared = [r for _p, r in rules if r.subject in engine.SHARED]
    assert len(shared) >= 5
    list(engine.evaluate(in_force, AS_OF))  # compiled once
    with django_assert_num_queries(len(rules) - len(shared) + len(engine.SHARED)):
        results = list(engine.evaluate(in_force, AS_OF))
    assert [(p.id, r.id) for p, r, _rows in results] == [(p.id, r.id) for p, r in rules]
    assert [rows for _p, _r, rows in results] == [engine.run_rule(p, r, AS_OF) for p, r in rules]
    assert any(rows for _p, r, rows in results if r.subject == "device")
