"""Enforcement fixtures: findings made as the engine makes them (clauses and sanction copied from
the pack, per the contract in docs/architecture.md) and a clock the tests can move."""
import datetime as dt

import pytest
from django.utils import timezone

from jifang.regulation.models import Finding
from jifang.regulation.packs import get_pack

from .. import factories as f

PACK = "cn-530100-order-2012-116"
TZ = dt.timezone(dt.timedelta(hours=8))


def make_finding(site, clause_id: str, *, stage: str = "detected", subject_type: str = "site",
                 pack_id: str = PACK) -> Finding:
    pack = get_pack(pack_id)
    c = pack.clause(clause_id)
    return Finding.objects.create(
        pack_id=pack_id, pack_version=pack.version, pack_checksum=pack.checksum, rule_id=f"test-{clause_id}",
        clause_id=clause_id, clauses=[{"id": c.id, "label": c.label_zh, "text": c.text_zh}],
        subject_type=subject_type, subject_id=site.pk, subject_key=site.code, district_id=site.district_id,
        unit_id=site.unit_id, site=site, facts={"art6_point": site.art6_point},
        sanction=pack.sanction_for(clause_id), explanation_zh=f"{site.name}违反{c.label_zh}",
        explanation_en=f"{site.name} breaches {clause_id}", stage=stage,
        fingerprint=f"{pack_id}:test-{clause_id}:site:{site.pk}", first_seen=timezone.localdate(),
        last_seen_recorded=timezone.localdate(),
    )


def behind_the_back():
    """An edit straight in the database by someone who first lifts the guards (core.guards)."""
    from django.db import connection

    from jifang.core import guards

    return guards.suspended(connection)


class Clock:
    """Moves `django.utils.timezone.now` (and with it localdate) for the whole process, so the
    live server thread of a browser test sees the same day."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def today(self) -> dt.date:
        return timezone.localdate()

    def advance(self, days: int) -> None:
        self.now += dt.timedelta(days=days)

    def to(self, day: dt.date) -> None:
        """Move to `day` (same time of day)."""
        self.advance((day - self.today()).days)

    def past(self, order) -> None:
        """To the first day after the order's time limit as served (moved past rest days and
        holidays, 民法典 第二百零三条, so not always the day written + 1)."""
        self.to(order.deadline + dt.timedelta(days=1))


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def wuhua_site(wuhua_unit):
    """A bank's business hall with a compliant CCTV system: every checklist clause applies to it."""
    site = f.SiteFactory(unit=wuhua_unit, name="五华支行营业部", code="WH-0001")
    f.SystemFactory(site=site, has_audio_video=True)
    return site


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
