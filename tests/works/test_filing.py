"""Filing (art_16): who files, when, the deadline from the pack, and the district office's queue."""
import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from jifang.core.errors import NotPermitted, ServiceError
from jifang.regulation.packs import active_packs
from jifang.works import deadlines
from jifang.works import services as s
from jifang.works.models import Filing, Notification, NotificationKind

from .. import factories as f
from .conftest import approve, complete, days_ago

pytestmark = pytest.mark.django_db


def _file(works, firm_user, filed_on=None):
    return s.filing_submit(actor=firm_user, works=works, filed_on=filed_on or days_ago(25), contact_name="王经理",
                           contact_phone="0871-6000000", summary="摄像机 12 台")


def _param(name, day):
    pack = next(p for p in active_packs(day, "530102") if name in p.params)
    return pack.param(name, day)


@pytest.mark.clause("art_16__para_1")
def test_deadline_is_completion_plus_the_pack_parameter():
    completed = dt.date(2026, 3, 1)
    days = _param("filing_days", completed)
    assert deadlines.filing_due_on(completed, "530102") == completed + dt.timedelta(days=days)
    assert _param("filing_day_counting", completed) == "calendar_days_after_completion_day"


@pytest.mark.clause("art_16__para_1")
def test_deadline_follows_a_changed_parameter(settings, tmp_path):
    """The period is read from the pack, never from the code: a pack with 15 days gives 15."""
    import shutil

    from jifang.regulation import packs

    src = packs.BUILTIN_DIR / "cn-530100-order-2012-116"
    dst = tmp_path / "cn-530100-order-2012-116"
    shutil.copytree(src, dst)
    text = (dst / "parameters.yaml").read_text(encoding="utf-8")
    (dst / "parameters.yaml").write_text(text.replace("filing_days:\n  - value: 10", "filing_days:\n  - value: 15"),
                                         encoding="utf-8")
    settings.JIFANG_RULE_PACK_DIRS = [tmp_path]
    assert deadlines.filing_due_on(dt.date(2026, 3, 1), "530102") == dt.date(2026, 3, 16)


def test_deadline_outside_any_pack_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        deadlines.filing_due_on(dt.date(2010, 1, 1), "530102")


@pytest.mark.clause("art_16__para_1")
def test_firm_files_a_completed_works_and_the_district_is_notified(works, unit_user, firm_user):
    complete(works, unit_user, firm_user, completed_on=days_ago(30))
    filing = _file(works, firm_user, filed_on=days_ago(25))
    works.refresh_from_db()
    assert filing.receipt_number == f"BA530102{days_ago(25):%Y}{filing.pk:06d}"
    assert filing.due_on == deadlines.filing_due_on(days_ago(30), "530102") and filing.on_time
    assert works.filed_on == days_ago(25) and filing.firm_id == firm_user.firm_id
    queue = Notification.objects.filter(kind=NotificationKind.FILING_RECEIVED)
    assert list(queue.values_list("district_id", "works_id")) == [("530102", works.pk)]


@pytest.mark.clause("art_16__para_1")
@pytest.mark.parametrize("day, on_time", [(9, True), (10, True), (11, False)])
def test_boundary_day_10_on_time_day_11_late(works, unit_user, firm_user, day, on_time):
    complete(works, unit_user, firm_user, completed_on=days_ago(40))
    filing = _file(works, firm_user, filed_on=days_ago(40) + dt.timedelta(days=day))
    assert filing.on_time is on_time


@pytest.mark.clause("art_16__para_1")
def test_filing_before_completion_is_refused(works, unit_user, firm_user):
    approve(works, unit_user)
    with pytest.raises(ServiceError) as exc:
        _file(works, firm_user)
    assert exc.value.clause == "art_16__para_1" and "not completed" in str(exc.value)
    assert not Filing.objects.exists()


@pytest.mark.clause("art_16__para_1")
def test_a_firm_cannot_file_a_works_it_did_not_do(works, unit_user, firm_user):
    complete(works, unit_user, firm_user)
    stranger = f.UserFactory(role="firm_user", division_id=None, firm=f.FirmFactory())
    for actor in (stranger, unit_user):
        with pytest.raises(ServiceError) as exc:
            _file(works, actor)
        assert "only the firm" in str(exc.value)
    works.refresh_from_db()
    assert works.filed_on is None and not Notification.objects.filter(kind="filing_received").exists()


def test_filing_dates_and_twice(works, unit_user, firm_user):
    complete(works, unit_user, firm_user, completed_on=days_ago(30))
    with pytest.raises(ServiceError, match="before completion"):
        _file(works, firm_user, filed_on=days_ago(31))
    with pytest.raises(ServiceError, match="future"):
        _file(works, firm_user, filed_on=days_ago(-1))
    _file(works, firm_user)
    with pytest.raises(ServiceError, match="already filed"):
        _file(works, firm_user)


def test_design_firm_may_file_too(works, unit_user, firm_user):
    designer = f.FirmFactory()
    s.works_update(actor=unit_user, works=works, design_firm=designer)
    complete(works, unit_user, firm_user)
    designer_user = f.UserFactory(role="firm_user", division_id=None, firm=designer)
    assert _file(works, designer_user).firm_id == designer.pk


def test_only_that_districts_officer_receives_the_filing(works, unit_user, firm_user, wuhua_officer,
                                                        panlong_officer):
    complete(works, unit_user, firm_user)
    filing = _file(works, firm_user)
    with pytest.raises(NotPermitted):
        s.filing_receive(actor=panlong_officer, filing=filing)
    s.filing_receive(actor=wuhua_officer, filing=filing)
    filing.refresh_from_db()
    assert filing.received_by == wuhua_officer
    assert not Notification.objects.filter(kind="filing_received", handled_at__isnull=True).exists()
