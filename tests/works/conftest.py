"""Fixtures for the works lifecycle: a system at a Wuhua bank site, its builder's user, the firm
doing the job, and helpers that walk a works to a given step through the services."""
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jifang.registry.models import AcceptanceResult, SystemStatus
from jifang.works import services as s
from jifang.works.models import DocumentKind, ReviewResult

from .. import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def pdf(name="scheme.pdf", body=PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def system(wuhua_unit, firm):
    site = f.SiteFactory(unit=wuhua_unit, name="五华支行营业部")
    return f.SystemFactory(site=site, firm=firm, status=SystemStatus.PLANNED,
                           acceptance_result=AcceptanceResult.NONE, acceptance_date=None, reserved_interface=None)


@pytest.fixture
def works(unit_user, system, firm, wuhua_unit):
    return s.works_register(actor=unit_user, system=system, builder=wuhua_unit, firm=firm, name="营业部技防改造",
                            kind="rebuild", registered_on=days_ago(90))


def approve(works, unit_user, held_on=None):
    s.document_upload(actor=unit_user, works=works, kind=DocumentKind.SCHEME, title="设计方案", file=pdf())
    s.review_record(actor=unit_user, works=works, held_on=held_on or days_ago(80), result=ReviewResult.PASSED,
                    experts=[{"name": "张工", "affiliation": "云南省安防协会"}])
    works.refresh_from_db()
    return works


def complete(works, unit_user, firm_user, completed_on=None):
    approve(works, unit_user)
    s.construction_start(actor=firm_user, works=works, started_on=days_ago(70))
    s.works_complete(actor=firm_user, works=works, completed_on=completed_on or days_ago(30))
    works.refresh_from_db()
    return works


def accept(works, unit_user, firm_user, officer, passed=True):
    complete(works, unit_user, firm_user)
    acceptance = s.acceptance_schedule(actor=unit_user, works=works, scheduled_for=days_ago(20))
    s.acceptance_result_record(actor=officer, acceptance=acceptance, held_on=days_ago(20), reserved_interface=True,
                               items=[{"name": "视频图像质量", "passed": passed}], certificate="YS-2026-001")
    works.refresh_from_db()
    return works


def make_works(n=[0], *, site=None, art6_point=5, **facts):
    """A works row with given lifecycle facts, written directly (rule tests need arbitrary history;
    behaviour tests go through the services)."""
    from jifang.works.models import Works

    n[0] += 1
    site = site or f.SiteFactory(art6_point=art6_point)
    system = f.SystemFactory(site=site)
    firm = f.FirmFactory()
    defaults = {"code": f"GCT{n[0]:05d}", "name": f"工程{n[0]}", "kind": "new", "status": "registered",
                "registered_on": dt.date(2025, 1, 1)}
    return Works.objects.create(system=system, site=site, unit_id=site.unit_id, district_id=site.district_id,
                                builder_id=site.unit_id, firm=firm, **(defaults | facts))
