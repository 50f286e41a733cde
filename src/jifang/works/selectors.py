"""Reads beyond a plain `visible()`: the board of what waits on each role, and a works' timeline.

Every section of a board is one query over rows the user may see (select_related, no N+1) and is
capped; due dates come from the rows themselves or, for filings, from the pack's parameter.
"""
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from jifang.core.divisions import CITY_CODE
from jifang.core.roles import OFFICIALS, Role
from jifang.core.scoping import visible
from jifang.registry.models import SecuritySystem, SystemStatus

from . import deadlines
from .models import (
    Acceptance,
    AcceptanceResult,
    Filing,
    NetworkingNotice,
    NoticeStatus,
    Notification,
    NotificationKind,
    Works,
    WorksStatus,
)

SECTION_LIMIT = 50
WORKS_RELATED = ("system", "site", "builder", "firm", "district")


@dataclass
class Line:
    obj: object
    works: Works | None
    due_on: dt.date | None = None
    today: dt.date | None = None

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.today is not None and self.due_on < self.today


@dataclass
class Section:
    """One part of a board: every row waiting (scoped, unsliced) and how each becomes a line.
    The page reads the first SECTION_LIMIT lines (one query); the home panel only counts."""

    key: str
    title: str
    rows: QuerySet
    line: Callable[[object], Line]

    @cached_property
    def lines(self) -> list[Line]:
        return [self.line(obj) for obj in self.rows[:SECTION_LIMIT]]

    def count(self) -> int:
        return self.rows.count()


def works_qs(user):
    return visible(user, Works).select_related(*WORKS_RELATED)


def _works_line(today, due=None) -> Callable[[Works], Line]:
    return lambda w: Line(w, w, due(w) if due else None, today)


def _own_works(user):
    """For a unit user: the works they commission; for a firm user: the works they do."""
    return works_qs(user).order_by("id")


def _filing_due(w: Works) -> dt.date:
    return deadlines.filing_due_on(w.completed_on, w.district_id)


def builder_board(user, today) -> list[Section]:
    mine = _own_works(user)
    pending = Acceptance.objects.filter(works=OuterRef("pk"), result=AcceptanceResult.PENDING)
    acceptances = (visible(user, Acceptance).filter(result=AcceptanceResult.PENDING)
                   .select_related("works__district", "works__site").order_by("scheduled_for", "id"))
    notices = (visible(user, NetworkingNotice).filter(status=NoticeStatus.ISSUED)
               .select_related("system", "works").order_by("due_on", "id"))
    return [
        Section("review", _("Design review to record"), mine.filter(status=WorksStatus.REGISTERED), _works_line(today)),
        Section("schedule", _("Acceptance to schedule"),
                mine.filter(status=WorksStatus.COMPLETED).exclude(Exists(pending)), _works_line(today)),
        Section("result", _("Acceptance result to record"), acceptances,
                lambda a: Line(a, a.works, a.scheduled_for, today)),
        Section("go_live", _("Accepted, ready to go live"), mine.filter(status=WorksStatus.ACCEPTED), _works_line(today)),
        Section("connect", _("Networking notices to confirm"), notices, lambda n: Line(n, n.works, n.due_on, today)),
    ]


def firm_board(user, today) -> list[Section]:
    mine = _own_works(user)
    unfiled = mine.filter(completed_on__isnull=False, filed_on__isnull=True).order_by("completed_on", "id")
    return [
        Section("start", _("Construction to start"), mine.filter(status=WorksStatus.DESIGN_APPROVED), _works_line(today)),
        Section("complete", _("Completion or rework to report"),
                mine.filter(status__in=[WorksStatus.UNDER_CONSTRUCTION, WorksStatus.REWORK]), _works_line(today)),
        Section("file", _("Filings due (art. 16)"), unfiled, _works_line(today, _filing_due)),
    ]


def _filing_overdue_q(today: dt.date, district_id: str | None) -> Q:
    """Completed, not filed, and past the deadline: one query over the works table."""
    cutoff = deadlines.overdue_cutoff(today, district_id or CITY_CODE)
    return Q(completed_on__isnull=False, filed_on__isnull=True, completed_on__lt=cutoff)


def officer_board(user, today) -> list[Section]:
    # Only acceptances still to be held: once a result is recorded there is nothing left to attend
    # (services.attendance_record refuses it), whether or not an officer went.
    notes = (visible(user, Notification).filter(kind=NotificationKind.ACCEPTANCE_SCHEDULED, handled_at__isnull=True,
                                                acceptance__result=AcceptanceResult.PENDING)
             .select_related("works__site", "works__builder", "acceptance").order_by("due_on", "id"))
    filings = (visible(user, Filing).filter(received_at__isnull=True)
               .select_related("works__site", "firm").order_by("filed_on", "id"))
    overdue = works_qs(user).filter(_filing_overdue_q(today, user.division_id)).order_by("completed_on", "id")
    late_notices = (visible(user, NetworkingNotice).filter(status=NoticeStatus.ISSUED, due_on__lt=today)
                    .select_related("system", "works").order_by("due_on", "id"))
    open_notice = NetworkingNotice.objects.filter(system=OuterRef("pk"), status=NoticeStatus.ISSUED)
    unconnected = (visible(user, SecuritySystem)
                   .filter(is_public_area=True, police_connected=False,
                           status__in=[SystemStatus.ACCEPTED, SystemStatus.IN_USE])
                   .exclude(Exists(open_notice)).select_related("site").order_by("id"))
    return [
        Section("attend", _("Acceptances to attend (art. 14 para. 1)"), notes,
                lambda n: Line(n.acceptance, n.works, n.due_on, None)),
        Section("filings", _("Filings received"), filings, lambda f: Line(f, f.works, f.due_on, None)),
        Section("filing_overdue", _("Filings overdue or missing (art. 16)"), overdue, _works_line(today, _filing_due)),
        Section("notice_overdue", _("Networking notices overdue (art. 13 para. 2)"), late_notices,
                lambda n: Line(n, n.works, n.due_on, today)),
        Section("notice_to_issue", _("Public-area systems not connected, no notice (art. 10 para. 1)"), unconnected,
                lambda sy: Line(sy, None, None, None)),
    ]


def board(user, today: dt.date) -> list[Section]:
    if user.role == Role.UNIT_USER:
        return builder_board(user, today)
    if user.role == Role.FIRM_USER:
        return firm_board(user, today)
    if user.role in OFFICIALS:
        return officer_board(user, today)
    return []


def home_figures(user) -> dict | None:
    """The home page's works panel: how many rows wait in each section of the user's board (one
    count query per section, whatever the registry's size); None when the board is empty or the
    role has none."""
    sections = [(s, s.count()) for s in board(user, timezone.localdate())]
    if not any(n for _s, n in sections):
        return None
    return {"sections": [{"key": s.key, "title": s.title, "n": n} for s, n in sections]}


def _day(day: dt.date) -> str:
    return date_format(day, "DATE_FORMAT")


@dataclass(frozen=True)
class Event:
    on: dt.date
    what: str
    detail: str = ""


def acceptances_of(works: Works) -> list[Acceptance]:
    """A works' acceptance rounds with their items and attending officers (four queries)."""
    return list(works.acceptances.prefetch_related("items", "attendances__officer"))


def timeline(works: Works, acceptances: list[Acceptance] | None = None) -> list[Event]:
    """What happened to a works, in date order, from its own records. Pass `acceptances` (from
    acceptances_of) when the page already has them."""
    events = [Event(works.registered_on, str(_("Registered")))]
    for r in works.reviews.prefetch_related("experts"):
        experts = "、".join(f"{e.name}（{e.affiliation}）" for e in r.experts.all())
        events.append(Event(r.held_on, str(_("Design review v%(v)s: %(r)s")) % {"v": r.version,
                                                                               "r": r.get_result_display()}, experts))
    for name, label in (("started_on", _("Construction started")), ("completed_on", _("Completed"))):
        if getattr(works, name):
            events.append(Event(getattr(works, name), str(label)))
    for a in acceptances if acceptances is not None else acceptances_of(works):
        events.append(Event(a.police_notified_at.date() if a.police_notified_at else a.scheduled_for,
                            str(_("Acceptance #%(n)s scheduled for %(d)s; district office notified"))
                            % {"n": a.round, "d": _day(a.scheduled_for)}))
        for att in a.attendances.all():
            events.append(Event(att.recorded_at.date(), str(_("Attended by %(o)s")) % {"o": att.officer}))
        if a.held_on:
            events.append(Event(a.held_on, str(_("Acceptance #%(n)s: %(r)s")) % {"n": a.round,
                                                                                "r": a.get_result_display()},
                                a.opinion))
    filing = Filing.objects.filter(works=works).first()
    if filing:
        events.append(Event(filing.filed_on, str(_("Filed, receipt %(n)s")) % {"n": filing.receipt_number},
                            str(_("deadline %(d)s")) % {"d": _day(filing.due_on)}))
    if works.live_on:
        events.append(Event(works.live_on, str(_("Put into use"))))
    for n in works.notices.all():
        events.append(Event(n.issued_on, str(_("Networking notice %(n)s, connect by %(d)s")) % {"n": n.number,
                                                                                             "d": _day(n.due_on)}))
        if n.connected_on:
            events.append(Event(n.connected_on, str(_("Connected to the police platform"))))
    return sorted(events, key=lambda e: e.on)
