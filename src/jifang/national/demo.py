"""The national part of the demo city (see jifang.core.demo): order 799 filings of the public video
systems in use, the district offices' queues, a few reports from the public and viewing requests.

What is planted (ctx.manifest, under the pack-qualified clause "cn-order-2025-799#art_14__para_1",
subject key = system code): systems in use with no filing once their period (30 days after going
live, or the transition to 2025-06-30 for older systems) has ended before ctx.today, and systems
whose filing no longer matches the registry (a camera count filed that differs). Every other video
system in use has a filing that matches it, or is still inside its period.
Rows are bulk-inserted, like the rest of the seed."""
import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q

from jifang.core import secrets
from jifang.regulation.engine import latest_period_start, period_ended
from jifang.regulation.packs import get_pack
from jifang.registry.models import Device, DeviceStatus, SecuritySystem, SystemStatus

from . import models as m
from .services import CONTACT_PURPOSE, filed_hash

PACK = "cn-order-2025-799"
CLAUSE = f"{PACK}#art_14__para_1"
# Classes held to art. 14 ("" = not yet classified, held like art. 7); art. 9 and 33 systems are exempt.
HELD = ["", "art7_1", "art7_2_1", "art7_2_2", "art7_2_3", "art7_2_4"]
RATES = {"unfiled": 0.06, "stale": 0.03, "pending": 0.02}
DEMO_DISTRICT = "530102"
REPORTS = [
    ("prohibited_place", "盘龙区某酒店 1203 客房", "入住后发现烟雾报警器内疑似装有摄像头，镜头朝向床铺。"),
    ("prohibited_place", "五华区某健身房女更衣室", "更衣室天花板角落有一个亮红灯的小装置，怀疑是摄像头。"),
    ("unlawful", "五华区某小区 3 栋楼道", "邻居在自家门外安装摄像头，正对他人家门，物业称未经同意。"),
]


def _camera_counts(ids) -> dict:
    live = Device.objects.filter(system_id__in=ids).exclude(status=DeviceStatus.REMOVED)
    rows = live.values("system_id").annotate(
        cameras=Count("id", filter=Q(kind="camera")), nvr=Count("id", filter=Q(kind="nvr")),
        dvr=Count("id", filter=Q(kind="dvr")), encoder=Count("id", filter=Q(kind="encoder")))
    return {r["system_id"]: r for r in rows}


class FilingSeeder:
    def __init__(self, ctx):
        self.ctx, self.rng, self.today = ctx, ctx.rng, ctx.today
        self.pack = get_pack(PACK)
        self.start = self.pack.param("filing_transition_start", self.pack.effective_from)
        self.counters: dict = defaultdict(int)

    def late(self, since: dt.date) -> bool:
        """Would a system live since `since` be late with no filing as of today (the rules' reading)?"""
        if not self.pack.in_force(self.today):
            return False
        if since < self.start:
            return period_ended(self.pack, self.pack.rule("art14-system-not-filed-transition"), self.today)
        return since <= latest_period_start(self.pack, self.today, self.pack.param("filing_days", self.today))

    def number(self, district, year: int) -> str:
        self.counters[(district.code, year)] += 1
        return f"昆公{district.name[0]}视备字〔{year}〕第{self.counters[(district.code, year)]:04d}号"

    def filing(self, s, counts: dict, status: str) -> m.SystemFiling:
        c = counts.get(s.pk, {})
        first_day = max(s.in_use_since, self.start)
        submitted = min(self.today, first_day + dt.timedelta(days=self.rng.randint(0, 25)))
        f = m.SystemFiling(
            system_id=s.pk, site_id=s.site_id, unit_id=s.unit_id, district_id=s.district_id, unit_name=s.unit.name,
            credit_code=s.unit.credit_code, unit_address=s.unit.address or s.site.address,
            person_in_charge=s.unit.person_in_charge_name or "—", contact_name=s.unit.contact_name or "—",
            contact_phone=s.unit.contact_phone or "—", location=s.site.address or s.site.name,
            in_use_since=s.in_use_since, camera_count=c.get("cameras", 0), with_nvr=bool(c.get("nvr")),
            with_dvr=bool(c.get("dvr")), with_encoder=bool(c.get("encoder")), retention_days=s.retention_days,
            status=status, submitted_on=submitted)
        if status == m.FilingStatus.RECEIVED:
            f.receipt_number = self.number(s.district, submitted.year)
            f.handled_at = dt.datetime.combine(submitted + dt.timedelta(days=2), dt.time(10), tzinfo=dt.UTC)
            f.sealed_hash = filed_hash(f)
        return f

    def run(self) -> None:
        if not self.pack.in_force(self.today):
            return
        systems = list(SecuritySystem.objects.filter(status=SystemStatus.IN_USE, has_audio_video=True,
                                                     in_use_since__isnull=False, public_video_class__in=HELD)
                       .select_related("unit", "site", "district").order_by("id"))
        counts = _camera_counts([s.pk for s in systems])
        filings, queued = [], 0
        for s in systems:
            roll = self.rng.random()
            if roll < RATES["unfiled"] or s.retention_days is None:  # a filing states the retention
                if self.late(s.in_use_since):
                    self.ctx.manifest.plant(CLAUSE, s.code)
                continue
            # the demo district officer's queue always has something (its first two filings)
            queue = s.district_id == DEMO_DISTRICT and queued < 2
            queued += queue
            pending = roll < RATES["unfiled"] + RATES["pending"] or queue
            f = self.filing(s, counts, m.FilingStatus.SUBMITTED if pending else m.FilingStatus.RECEIVED)
            if RATES["unfiled"] + RATES["pending"] <= roll < sum(RATES.values()):
                f.camera_count += 1 + self.rng.randint(0, 3)  # filed before cameras were taken down
                if f.sealed_hash:
                    f.sealed_hash = filed_hash(f)
                self.ctx.manifest.plant(CLAUSE, s.code)
            filings.append(f)
        m.SystemFiling.objects.bulk_create(filings, batch_size=2000)
        self.ctx.created(filings)
        m.FilingCounter.objects.bulk_create(
            m.FilingCounter(district_id=code, year=year, last=last) for (code, year), last in self.counters.items())


def seed_reports(ctx) -> None:
    """Reports from the public waiting in the demo district's queue (no photos)."""
    reports = [m.PublicReport(district_id=DEMO_DISTRICT, kind=kind, place=place, description=text,
                              source_hash=f"demo{i}", contact_token=secrets.encrypt(CONTACT_PURPOSE, b"13800000000")
                              if i == 0 else "")
               for i, (kind, place, text) in enumerate(REPORTS)]
    m.PublicReport.objects.bulk_create(reports)
    ctx.created(reports)


def seed(ctx) -> None:
    """The national app's demo hook (after the registry's)."""
    FilingSeeder(ctx).run()
    seed_reports(ctx)
