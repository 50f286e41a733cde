"""Fixtures of the national workflows: a Wuhua system in use with cameras, and a filing of it."""
import datetime as dt

import pytest

from jifang.national import services
from tests.factories import DeviceFactory, SiteFactory, SystemFactory
from tests.regulation.conftest import scan  # noqa: F401

LIVE = dt.date(2025, 5, 6)


def video_system(**kwargs):
    """A system held to order 799 art. 14: a crowded place's (art. 7 para. 2 item 1; the factory's
    default is an art. 9 system, exempt from filing)."""
    return SystemFactory(**{"public_video_class": "art7_2_1", **kwargs})


@pytest.fixture
def system(wuhua_unit):
    s = video_system(site=SiteFactory(unit=wuhua_unit, address="五华区人民中路1号"), in_use_since=LIVE,
                      retention_days=30)
    for _ in range(3):
        DeviceFactory(system=s)
    DeviceFactory(system=s, kind="nvr")
    return s


def filing_data(system, **changes) -> dict:
    facts = services.registry_facts(system)
    facts.update(unit_address=facts["unit_address"] or "五华区", person_in_charge=facts["person_in_charge"] or "张三",
                 contact_name="李四", contact_phone="0871-1234567")
    facts.update(changes)
    return facts


@pytest.fixture
def file_system(unit_user):
    def run(system, actor=None, **changes):
        return services.filing_submit(actor=actor or unit_user, system=system, **filing_data(system, **changes))

    return run
