"""Networking notices (art_10 para 1, art_13 para 2): issued by the police, confirmed by the operator."""
import pytest

from jifang.core.errors import NotPermitted, ServiceError
from jifang.works import services as s
from jifang.works.models import NetworkingNotice, NoticeBasis, NoticeStatus

from .. import factories as f
from .conftest import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def square_system(wuhua_unit):
    return f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit, art6_point=8), is_public_area=True,
                           police_connected=False)


@pytest.mark.clause("art_10__para_1")
def test_police_issue_and_operator_confirms(square_system, wuhua_officer, unit_user):
    notice = s.notice_issue(actor=wuhua_officer, system=square_system, basis=NoticeBasis.PUBLIC_AREA,
                            issued_on=days_ago(10), due_on=days_ago(-20))
    assert notice.number == f"LW530102{days_ago(10):%Y}{notice.pk:06d}" and notice.unit_id == square_system.unit_id
    s.notice_confirm(actor=unit_user, notice=notice, connected_on=days_ago(2))
    notice.refresh_from_db()
    square_system.refresh_from_db()
    assert notice.status == NoticeStatus.CONNECTED
    assert square_system.police_connected and square_system.police_connected_since == days_ago(2)


@pytest.mark.clause("art_10__para_1")
def test_public_area_basis_needs_a_public_area_system(wuhua_officer, wuhua_unit):
    private = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), is_public_area=False, police_connected=False)
    with pytest.raises(ServiceError) as exc:
        s.notice_issue(actor=wuhua_officer, system=private, basis=NoticeBasis.PUBLIC_AREA, due_on=days_ago(-5))
    assert exc.value.clause == "art_10__para_1"


@pytest.mark.clause("art_13__para_2")
def test_required_basis_is_for_audio_video_systems(wuhua_officer, wuhua_unit):
    alarm = f.SystemFactory(site=f.SiteFactory(unit=wuhua_unit), has_audio_video=False, has_intrusion_alarm=True,
                            police_connected=False)
    with pytest.raises(ServiceError) as exc:
        s.notice_issue(actor=wuhua_officer, system=alarm, basis=NoticeBasis.REQUIRED, due_on=days_ago(-5))
    assert exc.value.clause == "art_13__para_2"


def test_issue_refusals(square_system, wuhua_officer, panlong_officer, unit_user, firm_user):
    for outsider in (panlong_officer, unit_user, firm_user):
        with pytest.raises(NotPermitted):
            s.notice_issue(actor=outsider, system=square_system, basis=NoticeBasis.PUBLIC_AREA, due_on=days_ago(-5))
    with pytest.raises(ServiceError, match="after the notice date"):
        s.notice_issue(actor=wuhua_officer, system=square_system, basis=NoticeBasis.PUBLIC_AREA, due_on=days_ago(0))
    s.notice_issue(actor=wuhua_officer, system=square_system, basis=NoticeBasis.PUBLIC_AREA, due_on=days_ago(-5))
    with pytest.raises(ServiceError, match="open networking notice"):
        s.notice_issue(actor=wuhua_officer, system=square_system, basis=NoticeBasis.PUBLIC_AREA, due_on=days_ago(-9))
    assert NetworkingNotice.objects.count() == 1


def test_confirm_refusals(square_system, wuhua_officer, firm_user, unit_user):
    notice = s.notice_issue(actor=wuhua_officer, system=square_system, basis=NoticeBasis.PUBLIC_AREA,
                            issued_on=days_ago(10), due_on=days_ago(-5))
    with pytest.raises(NotPermitted):
        s.notice_confirm(actor=firm_user, notice=notice, connected_on=days_ago(1))
    with pytest.raises(ServiceError, match="before the notice date"):
        s.notice_confirm(actor=unit_user, notice=notice, connected_on=days_ago(11))
    square_system.refresh_from_db()
    assert not square_system.police_connected
