"""Property: rechecking one site gives exactly what the whole-registry run found for that site."""
import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifang.registry import models as m
from jifang.regulation import services
from jifang.regulation.models import Finding
from tests import factories as f

AS_OF = dt.date(2026, 6, 1)

system_st = st.fixed_dictionaries({
    "status": st.sampled_from(m.SystemStatus.values),
    "acceptance_result": st.sampled_from(m.AcceptanceResult.values),
    "retention_days": st.one_of(st.none(), st.integers(0, 60)),
    "reserved_interface": st.sampled_from([True, False, None]),
    "has_audio_video": st.booleans(),
})
device_st = st.fixed_dictionaries({
    "kind": st.sampled_from(m.DeviceKind.values),
    "area_kind": st.sampled_from(m.AreaKind.values),
    "product": st.sampled_from(["ok", "bad", None]),
})
site_st = st.fixed_dictionaries({
    "art6_point": st.sampled_from([None, *range(1, 10)]),
    "systems": st.lists(system_st, max_size=3),
    "devices": st.lists(device_st, max_size=3),
})


def _build(spec, good, bad):
    site = f.SiteFactory(art6_point=spec["art6_point"])
    systems = [f.SystemFactory(site=site, **s) for s in spec["systems"]]
    for i, d in enumerate(spec["devices"]):
        system = systems[i % len(systems)] if systems else f.SystemFactory(site=site)
        part = f.SitePartFactory(site=site, area_kind=d["area_kind"])
        product = {"ok": good, "bad": bad, None: None}[d["product"]]
        f.DeviceFactory(system=system, part=part, kind=d["kind"], product=product)
    return site


def _open(site) -> set:
    return set(Finding.objects.filter(site=site, status="open").values_list("fingerprint", flat=True))


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sites=st.lists(site_st, min_size=1, max_size=4))
def test_one_site_recheck_agrees_with_the_whole_registry_run(sites):
    with transaction.atomic():
        good, bad = f.ProductFactory(), f.ProductFactory(in_catalogue=False, meets_standard=False)
        built = [_build(spec, good, bad) for spec in sites]
        services.scan(actor=None, as_of=AS_OF)
        whole = {site.pk: _open(site) for site in built}
        for site in built:
            run = services.scan(actor=None, as_of=AS_OF, site=site)
            assert (run.counts["new"], run.counts["resolved"]) == (0, 0)
            assert _open(site) == whole[site.pk]
            assert run.counts["violation"] + run.counts["undetermined"] == len(whole[site.pk])
        transaction.set_rollback(True)
