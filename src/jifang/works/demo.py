"""The works part of the demo city (see jifang.core.demo): works in every state of the lifecycle on
the registry's systems, with reviews, acceptances, filings, the district offices' queues and
networking notices, and the planted violations of art_8, 10 para 1, 13 para 2, 14 para 1 and 16.

Each works is laid on a system whose registry facts already fit the works' state (a works being
built on a planned system, an accepted works on an accepted one...); the only registry fact changed
is the police connection of a few public-area systems (art_10 para 1).
Rows are bulk-inserted, like the rest of the seed. Dates are relative to ctx.today; completions lie
after 2013 so the filing deadline always comes from the pack in force.

What is planted (ctx.manifest, clause -> subject keys):
- art_8__para_1: works whose main project opened before the works was accepted (still unaccepted,
  or accepted after the opening);
- art_14__para_1: works put to acceptance with no design review (works code) and acceptances held
  without notifying the police (acceptance code);
- art_16__para_1: works filed after filing_days, and works past the deadline with no filing;
- art_13__para_2: networking notices past their due date;
- art_10__para_1: the public-area systems the registry's seed left accepted or in use without a
  police connection (read back from the registry, whose seed decides connections).
Every other works, acceptance and notice is compliant with these clauses.

The demo district officer's district (五华区 530102, the `wuhua` account) always gets a queue: two
completed expansions awaiting acceptance (the office notified), one of them filed and not yet
received, and two art_13 para 2 networking notices (one running, one overdue and planted).
"""
import datetime as dt
from collections import defaultdict

from django.utils import timezone

from jifang.regulation.periods import period_end
from jifang.registry.models import AcceptanceResult as SystemAcceptance
from jifang.registry.models import SecuritySystem, SystemStatus

from . import deadlines
from . import models as m

EXPERTS = [("李建国", "昆明理工大学"), ("王海燕", "云南省安全技术防范行业协会"), ("张伟", "云南省建筑设计研究院"),
           ("赵敏", "昆明市建筑设计研究院"), ("陈涛", "云南大学信息学院")]
ITEMS = ["视频图像质量", "报警响应时间", "出入口控制功能", "供电与防雷", "系统联动"]
SINCE = dt.date(2013, 6, 1)  # completions after the order came into force
# The demo district officer's district (`wuhua`, 五华区, where the demo bank and firm are): its works
# board always has something in each office queue (README tour, step 5).
DEMO_DISTRICT = "530102"


class WorksSeeder:
    def __init__(self, ctx):
        self.ctx, self.rng, self.today = ctx, ctx.rng, ctx.today
        self.n = 0
        self.pools = self._pools()
        self.works: list[m.Works] = []
        self.reviews: list[tuple[m.Works, m.DesignReview]] = []
        self.acceptances: list[tuple[m.Works, m.Acceptance, bool]] = []  # (works, acceptance, notify queue)
        self.filings: list[tuple[m.Works, m.Filing]] = []

    # -- system pools --------------------------------------------------------------------------

    def _pools(self) -> dict[str, list]:
        """Systems by the works state they can carry, the demo bank's first (the demo accounts'
        boards then show works in every state)."""
        bank = self.ctx.keys.get("bank_unit_id")
        rows = (SecuritySystem.objects.filter(firm__isnull=False).select_related("site")
                .only("id", "code", "site_id", "unit_id", "district_id", "firm_id", "status", "acceptance_result",
                      "acceptance_date", "in_use_since", "site__art6_point", "site__name")
                .order_by("id"))
        pools = defaultdict(list)
        for s in rows.iterator(chunk_size=2000):
            pools[self._pool_of(s)].append(s)
        for systems in pools.values():
            self.rng.shuffle(systems)
            systems.sort(key=lambda s: s.unit_id != bank)
        return pools

    @staticmethod
    def _pool_of(s) -> str:
        passed = s.acceptance_result == SystemAcceptance.PASSED and s.acceptance_date and s.acceptance_date >= SINCE
        if s.status in (SystemStatus.PLANNED, SystemStatus.UNDER_CONSTRUCTION):
            return "building_art6" if s.site.art6_point else "building"
        if s.status == SystemStatus.ACCEPTED and passed:
            return "accepted_art6" if s.site.art6_point else "accepted"
        if s.status == SystemStatus.IN_USE and passed and s.in_use_since:
            return "in_use_art6" if s.site.art6_point else "in_use"
        if s.status == SystemStatus.IN_USE and s.acceptance_result != SystemAcceptance.PASSED:
            return "unaccepted_in_use"
        return "other"

    def take(self, *pools: str):
        for name in pools:
            if self.pools.get(name):
                return self.pools[name].pop(0)
        return None

    def take_in(self, district: str, *pools: str):
        """The first system of `district` in the first pool that has one, the demo firm's first."""
        firm = self.ctx.keys.get("demo_firm_id")
        for name in pools:
            local = [s for s in self.pools.get(name, ()) if s.district_id == district]
            if local:
                chosen = next((s for s in local if s.firm_id == firm), local[0])
                self.pools[name].remove(chosen)
                return chosen
        return None

    # -- rows ------------------------------------------------------------------------------------

    def days(self, lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(lo, hi))

    def new_works(self, s, *, status: str, registered_on: dt.date, kind: str = "", **facts) -> m.Works:
        self.n += 1
        w = m.Works(
            code=f"GC{s.district_id}{registered_on:%Y}D{self.n:05d}", name=f"{s.site.name}技防工程",
            kind=kind or self.rng.choice([m.WorksKind.NEW, m.WorksKind.REBUILD, m.WorksKind.EXPANSION]),
            status=status, system_id=s.pk, site_id=s.site_id, unit_id=s.unit_id, district_id=s.district_id,
            builder_id=s.unit_id, firm_id=s.firm_id, registered_on=registered_on, **facts,
        )
        self.works.append(w)
        return w

    def review(self, w: m.Works, held_on: dt.date, result=m.ReviewResult.PASSED, version=1) -> None:
        self.reviews.append((w, m.DesignReview(version=version, held_on=held_on, result=result,
                                               organiser="建设单位", opinion="方案可行" if result == "passed" else "需补充")))

    def acceptance(self, w: m.Works, *, rnd: int, scheduled_for: dt.date, held_on=None, passed=None,
                   notified=True) -> m.Acceptance:
        result = m.AcceptanceResult.PENDING if held_on is None else (
            m.AcceptanceResult.PASSED if passed else m.AcceptanceResult.FAILED)
        notified_at = timezone.make_aware(dt.datetime.combine(scheduled_for - dt.timedelta(days=7), dt.time(9)))
        a = m.Acceptance(code=f"{w.code}-YS{rnd}", district_id=w.district_id, round=rnd, scheduled_for=scheduled_for,
                         held_on=held_on, result=result, reserved_interface=True if held_on else None,
                         police_notified_at=notified_at if notified else None,
                         certificate=f"昆公技验字〔{held_on:%Y}〕D{self.n:04d}号" if passed else "")
        self.acceptances.append((w, a, result == m.AcceptanceResult.PENDING))
        return a

    def filing(self, w: m.Works, filed_on: dt.date) -> None:
        due = deadlines.filing_due_on(w.completed_on, w.district_id)
        received = filed_on < self.today - dt.timedelta(days=3)
        self.filings.append((w, m.Filing(
            firm_id=w.firm_id, district_id=w.district_id, receipt_number=f"BA{w.district_id}{filed_on:%Y}D{self.n:05d}",
            filed_on=filed_on, due_on=due, contact_name="项目经理", contact_phone="0871-63000000",
            summary=w.name, received_at=timezone.make_aware(dt.datetime.combine(filed_on, dt.time(15)))
            if received else None)))
        w.filed_on = filed_on

    # -- the states ------------------------------------------------------------------------------

    def finished(self, s, *, main_offset: int | None = 5, on_time=True, reviewed=True, notified=True) -> m.Works:
        """A works on an accepted or running system, with the history that led there."""
        accepted = s.acceptance_date
        completed = accepted - self.days(7, 30)
        registered = completed - self.days(90, 200)
        approved = registered + self.days(10, 40)
        w = self.new_works(
            s, status=m.WorksStatus.IN_USE if s.status == SystemStatus.IN_USE else m.WorksStatus.ACCEPTED,
            registered_on=registered, design_approved_on=approved if reviewed else None,
            started_on=approved + self.days(5, 20), completed_on=completed, first_acceptance_on=accepted,
            accepted_on=accepted, live_on=s.in_use_since if s.status == SystemStatus.IN_USE else None,
            main_project_name=f"{s.site.name}主体工程" if main_offset is not None else "",
            main_opened_on=accepted + dt.timedelta(days=main_offset) if main_offset is not None else None,
        )
        if reviewed:
            self.review(w, approved)
        a = self.acceptance(w, rnd=1, scheduled_for=accepted, held_on=accepted, passed=True, notified=notified)
        due = deadlines.filing_due_on(completed, w.district_id)
        self.filing(w, completed + self.days(1, 10) if on_time else due + self.days(1, 30))
        if not notified:
            self.ctx.manifest.plant("art_14__para_1", a.code)
        return w

    def building(self, s, step: str) -> m.Works:
        """A works on a planned or building system, stopped at `step`."""
        t = self.today
        registered = t - self.days(80, 150)
        w = self.new_works(s, status=step, registered_on=registered)
        if step == m.WorksStatus.REGISTERED:
            w.registered_on = t - self.days(10, 30)
            self.review(w, w.registered_on + self.days(1, 5), m.ReviewResult.REVISE)
            return w
        w.design_approved_on = registered + self.days(5, 15)
        self.review(w, w.design_approved_on)
        if step == m.WorksStatus.DESIGN_APPROVED:
            return w
        w.started_on = w.design_approved_on + self.days(3, 10)
        if step == m.WorksStatus.UNDER_CONSTRUCTION:
            return w
        w.completed_on = t - self.days(0, 9)  # inside the filing period: not yet due
        self.acceptance(w, rnd=1, scheduled_for=t + self.days(2, 12))
        return w

    def rework(self, s) -> m.Works:
        """Failed the first acceptance (notified, reviewed), filed on time, back with the firm."""
        w = self.building(s, m.WorksStatus.UNDER_CONSTRUCTION)
        w.status, w.completed_on = m.WorksStatus.REWORK, self.today - self.days(30, 45)
        held = w.completed_on + self.days(5, 12)
        w.first_acceptance_on = held
        self.acceptance(w, rnd=1, scheduled_for=held, held_on=held, passed=False)
        self.filing(w, w.completed_on + self.days(1, 10))
        return w

    def expansion(self, s) -> m.Works:
        """An expansion of a running system, accepted days ago and not yet switched over: the
        system stays in use while its expansion is built (no main project, art_8 does not apply)."""
        t = self.today
        w = self.building(s, m.WorksStatus.UNDER_CONSTRUCTION)
        w.kind, w.status = m.WorksKind.EXPANSION, m.WorksStatus.ACCEPTED
        w.completed_on = t - self.days(20, 30)
        w.first_acceptance_on = w.accepted_on = t - self.days(5, 15)
        self.acceptance(w, rnd=1, scheduled_for=w.accepted_on, held_on=w.accepted_on, passed=True)
        self.filing(w, w.completed_on + self.days(1, 10))
        return w

    def cycle(self) -> None:
        """One of each state, and one of each planted violation."""
        plant = self.ctx.manifest.plant
        for step in (m.WorksStatus.REGISTERED, m.WorksStatus.DESIGN_APPROVED, m.WorksStatus.UNDER_CONSTRUCTION,
                     m.WorksStatus.COMPLETED):
            if s := self.take("building", "building_art6"):
                self.building(s, step)
        if s := self.take("building", "building_art6"):
            # Completed and filed in the last days: the filing waits in the district office's queue.
            w = self.building(s, m.WorksStatus.COMPLETED)
            self.filing(w, max(w.completed_on, self.today - self.days(0, 2)))
        if s := self.take("building", "building_art6"):
            self.rework(s)
        if s := self.take("unaccepted_in_use"):
            self.rework(s)  # a system in use although its works failed acceptance (registry plants art_14 para 2)
        for pool in ("accepted", "in_use", "accepted_art6", "in_use_art6"):
            if s := self.take(pool):
                self.finished(s)
        if s := self.take("in_use", "in_use_art6"):
            self.expansion(s)
        if s := self.take("in_use", "accepted", "in_use_art6"):
            plant("art_16__para_1", self.finished(s, on_time=False).code)
        if s := self.take("building", "building_art6"):
            w = self.building(s, m.WorksStatus.COMPLETED)
            w.completed_on = self.today - self.days(11, 40)
            while deadlines.filing_due_on(w.completed_on, w.district_id) >= self.today:  # a holiday in between
                w.completed_on -= dt.timedelta(days=1)
            plant("art_16__para_1", w.code)
        if s := self.take("building_art6"):
            w = self.building(s, m.WorksStatus.UNDER_CONSTRUCTION)
            w.kind, w.main_project_name = m.WorksKind.NEW, f"{s.site.name}主体工程"
            w.main_opened_on = self.today - self.days(1, 60)
            plant("art_8__para_1", w.code)
        if s := self.take("accepted_art6", "in_use_art6"):
            w = self.finished(s, main_offset=-self.rng.randint(5, 60))
            plant("art_8__para_1", w.code)
        if s := self.take("accepted", "in_use", "accepted_art6"):
            plant("art_14__para_1", self.finished(s, reviewed=False).code)
        if s := self.take("accepted", "in_use", "accepted_art6"):
            self.finished(s, notified=False)

    def demo_district_queue(self) -> None:
        """The demo district office's queue: two expansions of running systems in DEMO_DISTRICT,
        completed in the last days (inside the filing period) with their acceptance scheduled and
        the office notified; one also filed today or so, not yet received. Compliant: reviewed,
        notified, filed on time, no main project (art_8 does not apply)."""
        for filed in (False, True):
            s = self.take_in(DEMO_DISTRICT, "in_use", "in_use_art6")
            if s is None:
                return
            w = self.building(s, m.WorksStatus.COMPLETED)
            w.kind = m.WorksKind.EXPANSION
            if filed:
                self.filing(w, max(w.completed_on, self.today - self.days(0, 2)))

    # -- networking notices ------------------------------------------------------------------------

    def notices(self, cycles: int) -> list[m.NetworkingNotice]:
        """For public-area systems without a connection: some notices still running, some overdue."""
        unconnected = list(SecuritySystem.objects.filter(
            is_public_area=True, police_connected=False, status__in=[SystemStatus.ACCEPTED, SystemStatus.IN_USE],
        ).values_list("id", "district_id", "unit_id").order_by("id"))
        self.rng.shuffle(unconnected)
        out = []
        for i, (sid, district, unit) in enumerate(unconnected[: 2 * cycles]):
            issued = self.today - self.days(20, 120)
            overdue = i % 2 == 1
            due = self.today - self.days(1, 15) if overdue else self.today + self.days(0, 60)
            due = period_end(max(due, issued + dt.timedelta(days=1)))
            out.append(m.NetworkingNotice(number=f"LW{district}{issued:%Y}D{i + 1:05d}", system_id=sid,
                                          district_id=district, unit_id=unit, basis=m.NoticeBasis.PUBLIC_AREA,
                                          issued_on=issued, due_on=due))
            if due < self.today:
                self.ctx.manifest.plant("art_13__para_2", out[-1].number)
        out += self.demo_district_notices(len(out))
        return out

    def demo_district_notices(self, numbered: int) -> list[m.NetworkingNotice]:
        """Two art_13 para 2 notices in DEMO_DISTRICT (its public-area systems, if any, are the
        registry seed's to decide): audio-video systems in use, not connected, told to connect; one
        is still running, the other past its date (planted), so the office's board shows it."""
        candidates = list(SecuritySystem.objects.filter(
            district_id=DEMO_DISTRICT, is_public_area=False, has_audio_video=True, police_connected=False,
            status=SystemStatus.IN_USE,
        ).values_list("id", "unit_id").order_by("id"))
        out = []
        for i, (sid, unit) in enumerate(self.rng.sample(candidates, min(2, len(candidates)))):
            issued = self.today - self.days(20, 90)
            overdue = i == 1
            due = period_end(self.today - self.days(1, 10) if overdue else self.today + self.days(10, 60))
            overdue = due < self.today
            number = f"LW{DEMO_DISTRICT}{issued:%Y}D{numbered + i + 1:05d}"
            out.append(m.NetworkingNotice(number=number, system_id=sid, district_id=DEMO_DISTRICT, unit_id=unit,
                                          basis=m.NoticeBasis.REQUIRED, issued_on=issued, due_on=due))
            if overdue:
                self.ctx.manifest.plant("art_13__para_2", number)
        return out

    # -- writing ------------------------------------------------------------------------------------

    def bulk(self, objects: list) -> None:
        if objects:
            type(objects[0]).objects.bulk_create(objects, batch_size=1000)
            self.ctx.created(objects)

    def write(self, notices: list) -> None:
        for w in self.works:  # the copied art_16 deadline, as Works.save keeps it
            w.filing_due_on = deadlines.filing_due_or_none(w.completed_on, w.district_id)
        self.bulk(self.works)
        for w, r in self.reviews:
            r.works_id = w.pk
        self.bulk([r for _, r in self.reviews])
        experts = [m.ReviewExpert(review_id=r.pk, name=name, affiliation=aff)
                   for _, r in self.reviews for name, aff in self.rng.sample(EXPERTS, 2)]
        self.bulk(experts)
        for w, a, _ in self.acceptances:
            a.works_id = w.pk
        self.bulk([a for _, a, _ in self.acceptances])
        self.bulk([m.AcceptanceItem(acceptance_id=a.pk, name=name, passed=a.result == m.AcceptanceResult.PASSED or i > 0)
                   for _, a, _ in self.acceptances if a.held_on for i, name in enumerate(self.rng.sample(ITEMS, 3))])
        for w, f in self.filings:
            f.works_id = w.pk
        self.bulk([f for _, f in self.filings])
        self.bulk(self.queue())
        self.bulk(notices)

    def queue(self) -> list[m.Notification]:
        """The district offices' queues: acceptances still to attend and filings not yet received."""
        rows = [m.Notification(district_id=w.district_id, kind=m.NotificationKind.ACCEPTANCE_SCHEDULED, works_id=w.pk,
                               acceptance_id=a.pk, due_on=a.scheduled_for)
                for w, a, pending in self.acceptances if pending]
        rows += [m.Notification(district_id=w.district_id, kind=m.NotificationKind.FILING_RECEIVED, works_id=w.pk)
                 for w, f in self.filings if f.received_at is None]
        return rows

    def disconnect_public_systems(self, count: int) -> None:
        """The one registry fact this seed changes: `count` public-area systems in use lose their
        police connection (art_10 para 1), so every demo city has such cases to find."""
        ids = list(SecuritySystem.objects.filter(is_public_area=True, police_connected=True,
                                                 status=SystemStatus.IN_USE).order_by("id").values_list("id", flat=True))
        chosen = self.rng.sample(ids, min(count, len(ids)))
        SecuritySystem.objects.filter(id__in=chosen).update(police_connected=False, police_connected_since=None)

    def plant_unconnected_public_systems(self) -> None:
        """art_10 para 1 is checked on the registry's systems: the plants are the public systems
        built but unconnected, those the registry's seed left so and those disconnected above."""
        for code in SecuritySystem.objects.filter(
                is_public_area=True, police_connected=False,
                status__in=[SystemStatus.ACCEPTED, SystemStatus.IN_USE]).values_list("code", flat=True):
            self.ctx.manifest.plant("art_10__para_1", code)

    def run(self) -> None:
        cycles = max(2, self.ctx.scale // 100)
        for _ in range(cycles):
            self.cycle()
        self.demo_district_queue()
        self.disconnect_public_systems(2 * cycles)
        self.write(self.notices(cycles))
        self.plant_unconnected_public_systems()
        self.ctx.progress("works", len(self.works), len(self.works))


def seed(ctx) -> None:
    """The works app's demo hook (after the registry's)."""
    WorksSeeder(ctx).run()
