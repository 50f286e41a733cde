"""System filing (order 799 art. 14): the manager files, the district office receives (a receipt
number) or returns it with a reason; a change filing names the filing it changes."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jifang.core.errors import NotPermitted
from jifang.core.models import AuditEntry
from jifang.national import services
from jifang.national.models import FilingKind, FilingStatus, SystemFiling
from tests.factories import DeviceFactory, SiteFactory, SystemFactory

pytestmark = pytest.mark.django_db
ART14 = "cn-order-2025-799#art_14__para_1"


def test_the_registry_gives_the_form_its_starting_facts(system):
    facts = services.registry_facts(system)
    assert facts["camera_count"] == 3 and facts["with_nvr"] and not facts["with_dvr"]
    assert facts["retention_days"] == 30 and facts["location"] == "五华区人民中路1号"
    assert facts["in_use_since"] == system.in_use_since


@pytest.mark.clause(ART14)
def test_a_unit_files_and_the_district_receives_with_a_receipt_number(system, file_system, wuhua_officer):
    filing = file_system(system)
    assert filing.kind == FilingKind.INITIAL and filing.status == FilingStatus.SUBMITTED
    assert filing.receipt_number is None and filing.district_id == "530102"
    received = services.filing_receive(actor=wuhua_officer, filing=filing)
    year = received.handled_at.year
    assert received.status == FilingStatus.RECEIVED
    assert received.receipt_number == f"昆公五视备字〔{year}〕第0001号"
    assert received.sealed_hash == services.filed_hash(received)
    second = file_system(SystemFactory(site=system.site, in_use_since=dt.date(2025, 6, 1)))
    assert services.filing_receive(actor=wuhua_officer, filing=second).receipt_number.endswith("第0002号")
    actions = set(AuditEntry.objects.filter(object_type="national.systemfiling").values_list("action", flat=True))
    assert {"national.filing.submit", "national.filing.received"} <= actions


def test_an_officer_of_another_district_cannot_receive(system, file_system, panlong_officer, department_officer):
    filing = file_system(system)
    for officer in (panlong_officer, department_officer):
        with pytest.raises(NotPermitted):
            services.filing_receive(actor=officer, filing=filing)
    assert SystemFiling.objects.get().status == FilingStatus.SUBMITTED


def test_a_returned_filing_keeps_its_reason_and_the_unit_files_again(system, file_system, wuhua_officer):
    filing = file_system(system)
    with pytest.raises(ValidationError):
        services.filing_return(actor=wuhua_officer, filing=filing, reason="  ")
    returned = services.filing_return(actor=wuhua_officer, filing=filing, reason="存储期限填写有误")
    assert returned.status == FilingStatus.RETURNED and returned.return_reason == "存储期限填写有误"
    with pytest.raises(ValidationError):  # handled once
        services.filing_receive(actor=wuhua_officer, filing=returned)
    again = file_system(system)
    assert again.kind == FilingKind.INITIAL and again.changes is None  # nothing was in force


@pytest.mark.clause(ART14)
def test_a_change_filing_names_the_filing_in_force_and_must_change_something(system, file_system, wuhua_officer):
    first = services.filing_receive(actor=wuhua_officer, filing=file_system(system))
    with pytest.raises(ValidationError, match="没有变化"):
        file_system(system)
    DeviceFactory(system=system)
    change = file_system(system)
    assert change.kind == FilingKind.CHANGE and change.changes == first and change.camera_count == 4
    with pytest.raises(ValidationError, match="等待"):  # one filing at a time awaits the police
        file_system(system, retention_days=60)


def test_only_the_units_own_systems_in_use_are_filed(system, file_system, unit_user, firm_user, panlong_unit):
    other = SystemFactory(site=SiteFactory(unit=panlong_unit))
    with pytest.raises(NotPermitted):
        file_system(other)
    with pytest.raises(NotPermitted):
        file_system(system, actor=firm_user)
    planned = SystemFactory(site=system.site, status="planned")
    with pytest.raises(ValidationError, match="投入使用"):
        file_system(planned)
    with pytest.raises(ValidationError):
        file_system(system, in_use_since=dt.date.today() + dt.timedelta(days=2))
    assert not SystemFiling.objects.exists()
