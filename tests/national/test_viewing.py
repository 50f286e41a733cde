"""Viewing requests (order 799 art. 21): the manager records a request by a person, a close relative
or a guardian, and consents (the viewing lands in the usage register) or refuses, once."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jifang.core.errors import NotPermitted
from jifang.duties.models import FootageUse
from jifang.national import services
from jifang.national.models import ViewingRequest, ViewingStatus
from tests.duties.conftest import put_on_roster
from tests.factories import SiteFactory, SystemFactory

pytestmark = pytest.mark.django_db
ART21 = "cn-order-2025-799#art_21__para_1"
T0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def request_(system, unit_user):
    return services.viewing_request_record(
        actor=unit_user, system=system, requester_name="王芳", relation="relative", person_name="王小明",
        reason="孩子在商场走失，查看出入口录像", recording_from=T0, recording_to=T0 + dt.timedelta(hours=2),
        requested_at=T0 + dt.timedelta(hours=3))


@pytest.mark.clause(ART21)
def test_a_consented_viewing_is_entered_in_the_usage_register(request_, unit_user):
    put_on_roster(request_.system.site, "张三")
    with pytest.raises(ValidationError, match="值班监看名单"):  # Kunming art_21 point 1: staff on watch only
        services.viewing_consent(actor=unit_user, request=request_, viewed_at=T0 + dt.timedelta(hours=4),
                                 approved_by_name="赵经理", shown_by_name="王芳")
    done = services.viewing_consent(actor=unit_user, request=request_, viewed_at=T0 + dt.timedelta(hours=4),
                                    approved_by_name="赵经理", shown_by_name="张三")
    entry = FootageUse.objects.get()
    assert done.status == ViewingStatus.CONSENTED and done.footage_use == entry
    assert (entry.kind, entry.user_name, entry.requester_name, entry.approved_by_name) == ("view", "张三", "王芳", "赵经理")
    assert entry.recording_from == T0 and "第二十一条" in entry.legal_basis and "近亲属" in entry.purpose
    with pytest.raises(ValidationError, match="已答复"):
        services.viewing_refuse(actor=unit_user, request=done, reason="改变主意")


@pytest.mark.clause(ART21)
def test_a_refusal_is_recorded_with_its_reason_and_nothing_is_registered(request_, unit_user):
    with pytest.raises(ValidationError):
        services.viewing_refuse(actor=unit_user, request=request_, reason=" ")
    done = services.viewing_refuse(actor=unit_user, request=request_, reason="与本人无关联")
    assert done.status == ViewingStatus.REFUSED and done.refusal_reason == "与本人无关联"
    assert not FootageUse.objects.exists()


def test_only_the_manager_records_and_answers(request_, system, wuhua_officer, firm_user, panlong_unit, unit_user):
    with pytest.raises(NotPermitted):
        services.viewing_consent(actor=firm_user, request=request_, viewed_at=T0, approved_by_name="x",
                                 shown_by_name="x")
    other = SystemFactory(site=SiteFactory(unit=panlong_unit))
    with pytest.raises(NotPermitted):
        services.viewing_request_record(actor=unit_user, system=other, requester_name="甲", relation="self",
                                        reason="财物被盗", recording_from=T0, recording_to=T0, requested_at=T0)
    with pytest.raises(ValidationError):
        services.viewing_request_record(actor=unit_user, system=system, requester_name="甲", relation="self",
                                        reason="财物被盗", recording_from=T0, recording_to=T0 - dt.timedelta(1),
                                        requested_at=T0)
    assert ViewingRequest.objects.count() == 1


def test_the_pages_record_and_answer_a_request(client, unit_user, system, wuhua_officer):
    put_on_roster(system.site, "值班员")
    client.force_login(unit_user)
    page = client.post(reverse("national:viewingrequest_add"), {
        "system": system.pk, "requester_name": "李雷", "relation": "self", "reason": "手机在店内丢失",
        "recording_from": "2026-11-02T09:00", "recording_to": "2026-11-02T10:00",
        "requested_at": "2026-11-02T12:00"})
    request_ = ViewingRequest.objects.get()
    assert page.status_code == 302 and page["Location"] == request_.get_absolute_url()
    detail = client.get(request_.get_absolute_url()).content.decode()
    assert 'data-testid="consent"' in detail
    client.post(reverse("national:viewing_consent", args=[request_.pk]),
                {"viewed_at": "2026-11-02T13:00", "approved_by_name": "店长", "shown_by_name": "值班员"})
    request_.refresh_from_db()
    assert request_.status == ViewingStatus.CONSENTED and request_.footage_use.used_at.hour == 5  # 13:00 Kunming
    client.force_login(wuhua_officer)  # the district reads, does not answer
    assert client.get(request_.get_absolute_url()).status_code == 200
    assert 'data-testid="consent"' not in client.get(request_.get_absolute_url()).content.decode()
