"""The export imports back unchanged, as the import page promises: every registered sheet, in both
formats, with rows made by the services themselves (times with microseconds and time zones, an
acceptance whose result is recorded and so may no longer change) (issue 9 §2)."""
import io

import pytest

from jifang.core import dataset as ds
from jifang.duties import registers
from jifang.works import services as s
from tests.duties.test_registers import data_for

from .. import factories as f
from .conftest import accept, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(works, unit_user, firm_user, wuhua_officer, system):
    accept(works, unit_user, firm_user, wuhua_officer)
    s.filing_submit(actor=firm_user, works=works, filed_on=days_ago(5), contact_name="王经理", contact_phone="0871-1")
    part = f.SitePartFactory(site=system.site)
    f.DeviceFactory(system=system, part=part)
    f.DeviceFactory(system=system, product=None)
    for register in registers.REGISTERS:  # one entry of each of the unit's registers
        register.service(actor=unit_user, **data_for(register, system))
    return works


def _export(actor, fmt: str) -> bytes:
    out = io.BytesIO()
    ds.dataset_export(actor=actor, out=out, fmt=fmt)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
@pytest.mark.parametrize("who", ["wuhua_officer", "city_officer"])
def test_every_sheet_imports_back_unchanged(history, fmt, who, request):
    actor = request.getfixturevalue(who)
    result = ds.dataset_import(actor=actor, data=_export(actor, fmt), dry_run=True)
    assert result.ok, [str(e) for e in result.errors]
    assert (result.created, result.updated) == ({}, {})
    assert set(result.unchanged) == {sheet.name for sheet in ds.sheets()}  # every sheet had rows, all unchanged
