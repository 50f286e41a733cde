"""Reads beyond plain `visible()`: the case file, the district queues and the figures. Every query
starts from `visible(user, ...)`, and the figures are GROUP BY queries, not Python loops."""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from jifang.core.roles import OFFICIALS
from jifang.core.scoping import visible
from jifang.regulation.models import Finding, Outcome, Stage

from .models import (
    AmountStage, CaseStatus, Inspection, InspectionComplaint, InspectionFinding, ItemOutcome, OrderItem, OrderStatus,
    PenaltyAmount, PenaltyCase, RectificationOrder,
)
from .services import FINED_AT_ONCE

DUE_SOON_DAYS = 7


@dataclass
class Event:
    when: dt.datetime | dt.date
    kind: str
    title: str
    detail: str
    url: str


def _case_ground(case: PenaltyCase) -> str:
    """The number of the record a case rests on: its order, or the inspection of a case opened at once."""
    return case.order.number if case.order_id else case.inspection.number


def _sortable(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def casefile(user, *, unit=None, site=None) -> dict:
    """Everything enforcement holds on one unit or one site, newest first, as the user may see it."""
    by = {"unit": unit} if unit is not None else {"site": site}
    findings = visible(user, Finding).filter(**by).order_by("-id")
    finding_ids = findings.values("id")
    inspections = visible(user, Inspection).filter(**by).select_related("site").order_by("-id")
    order_q = Q(unit=unit) if unit is not None else Q(items__finding__site=site)
    orders = visible(user, RectificationOrder).filter(order_q).distinct().order_by("-id")
    cases = visible(user, PenaltyCase).filter(findings__in=finding_ids).distinct().select_related("order", "inspection", "decision") \
        .order_by("-id")
    events = [Event(i.created_at, "inspection", i.number, i.site.name, i.get_absolute_url()) for i in inspections]
    events += [Event(f.first_seen, "finding", f.clause_label, f.explanation_zh, f.get_absolute_url()) for f in findings]
    events += [Event(o.served_at, "order", o.number, o.get_status_display(), o.get_absolute_url()) for o in orders]
    events += [Event(c.notice_served_at, "notice", c.number, _case_ground(c), c.get_absolute_url()) for c in cases]
    decisions = [(c, getattr(c, "decision", None)) for c in cases]
    events += [Event(d.decided_at, "decision", d.number, _case_ground(c), c.get_absolute_url())
               for c, d in decisions if d is not None]
    events.sort(key=lambda e: _sortable(e.when), reverse=True)
    return {"events": events, "findings": list(findings.select_related("site")), "inspections": list(inspections),
            "orders": list(orders), "cases": list(cases)}


def _pending_at_once():
    """Violations the law fines at once (order 799 art. 27 para. 1, art. 28) that no order and no case
    holds yet (stage detected): the findings `penalty_notice_issue(inspection=...)` accepts, less the
    inspection's own conditions."""
    in_a_case = PenaltyCase.findings.through.objects.values("finding_id")
    return Q(FINED_AT_ONCE, stage=Stage.DETECTED, outcome=Outcome.VIOLATION) & ~Q(pk__in=in_a_case)


def at_once_findings(inspection: Inspection) -> list[Finding]:
    """The findings this signed inspection confirmed that the law fines at once and no case holds yet."""
    if not inspection.sealed_hash:
        return []
    return list(Finding.objects.filter(_pending_at_once(), pk__in=inspection.finding_links.values("finding_id"))
                .order_by("id"))


def _signed_links(user):
    """Links of the outer finding to the signed inspections the user may see, newest first."""
    signed = visible(user, Inspection).exclude(sealed_hash="").values("id")
    return InspectionFinding.objects.filter(finding_id=OuterRef("pk"), inspection_id__in=signed) \
        .order_by("-inspection_id")


def awaiting_fine_at_once(user):
    """The queue of violations awaiting a fine at once: confirmed at a signed inspection the user may
    see, fined at once, under no order or case yet. One row per finding however many inspections
    confirmed it; `with_at_once_inspection` adds the inspection to act from."""
    return visible(user, Finding).filter(_pending_at_once(), Exists(_signed_links(user)))


def with_at_once_inspection(user, findings):
    """Each finding of the queue with the newest signed inspection that confirmed it (where its
    "立即处罚（立案）" is): `at_once_inspection_id`, `at_once_inspection_number`. Subqueries on the
    page's rows; the count does without them."""
    newest = _signed_links(user)
    return findings.annotate(at_once_inspection_id=Subquery(newest.values("inspection_id")[:1]),
                             at_once_inspection_number=Subquery(newest.values("inspection__number")[:1]))


def _open_orders(user):
    return visible(user, RectificationOrder).exclude(status=OrderStatus.CLOSED)


def _due_soon(today: dt.date) -> Q:
    return Q(deadline__gte=today, deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS))


def _overdue_not_in_a_case(user):
    """Overdue findings no penalty case holds yet: what may now be fined."""
    in_a_case = PenaltyCase.findings.through.objects.values("finding_id")
    return visible(user, Finding).filter(stage=Stage.OVERDUE).exclude(pk__in=in_a_case)


def _corrected_per_data(open_orders, today: dt.date):
    """Open orders past their deadline holding a finding the engine stopped seeing by then and no
    officer reviewed yet: corrected per the data, awaiting the officer's review (not overdue)."""
    items = OrderItem.objects.filter(order_id=OuterRef("pk"), outcome=ItemOutcome.PENDING,
                                     finding__unseen_since__lte=OuterRef("deadline"))
    return open_orders.filter(Exists(items), deadline__lt=today)


def _undecided_cases(user):
    return visible(user, PenaltyCase).exclude(status=CaseStatus.DECIDED)


def queues(user, today: dt.date | None = None) -> dict:
    """What a bureau has to act on next."""
    today = today or timezone.localdate()
    open_orders = _open_orders(user).select_related("unit")
    return {
        "due": list(open_orders.filter(_due_soon(today)).order_by("deadline", "id")),
        "answered": list(open_orders.filter(status=OrderStatus.ANSWERED).order_by("deadline", "id")),
        "corrected": list(_corrected_per_data(open_orders, today).order_by("deadline", "id")),
        "overdue": list(_overdue_not_in_a_case(user).select_related("unit", "site").order_by("district_id", "id")),
        "cases": list(_undecided_cases(user).select_related("unit", "order").order_by("id")),
        "complaints": list(visible(user, InspectionComplaint).filter(status="open").select_related("inspection", "unit")),
    }


def figures(user) -> dict:
    """Open orders, overdue findings and fines per district, article and clause, in grouped queries."""
    orders = visible(user, RectificationOrder)
    decided = visible(user, PenaltyCase).filter(status=CaseStatus.DECIDED)
    fines = PenaltyAmount.objects.filter(stage=AmountStage.DECISION, case__in=decided.values("id"))
    return {
        "by_district": list(
            orders.values("district_id", "district__name").annotate(
                open=Count("id", filter=~Q(status=OrderStatus.CLOSED)),
                total=Count("id"),
            ).order_by("district_id")
        ),
        "overdue_by_district": list(
            visible(user, Finding).filter(stage=Stage.OVERDUE).values("district_id", "district__name")
            .annotate(n=Count("id")).order_by("district_id")
        ),
        "fines_by_article": list(
            fines.values("case__article").annotate(total=Sum("amount"), cases=Count("case", distinct=True))
            .order_by("case__article")
        ),
        "decided_by_clause": list(
            decided.values("findings__clause_id").annotate(cases=Count("id", distinct=True))
            .order_by("findings__clause_id")
        ),
        "items_rectified": OrderItem.objects.filter(order__in=orders.values("id"), outcome="rectified").count(),
    }


def home_figures(user) -> dict | None:
    """The home page's enforcement panel, for the police and for the units orders are served on:
    open rectification orders (due within DUE_SOON_DAYS, past their deadline, answered and awaiting
    review), overdue findings not yet in a penalty case, violations awaiting a fine at once (the police
    only), and cases not yet decided. Four aggregate queries; None when there is nothing at all."""
    today = timezone.localdate()
    figures = _open_orders(user).aggregate(
        open=Count("id"),
        due_soon=Count("id", filter=_due_soon(today)),
        past_deadline=Count("id", filter=Q(deadline__lt=today)),
        answered=Count("id", filter=Q(status=OrderStatus.ANSWERED)),
        next_deadline=Min("deadline", filter=Q(deadline__gte=today)),
    )
    figures["overdue_findings"] = _overdue_not_in_a_case(user).count()
    figures["cases"] = _undecided_cases(user).count()
    figures["at_once"] = awaiting_fine_at_once(user).count() if user.role in OFFICIALS else 0
    if not any(v for k, v in figures.items() if k != "next_deadline"):
        return None
    figures["due_soon_days"] = DUE_SOON_DAYS
    figures["police"] = user.role in OFFICIALS
    return figures


def order_answers(order) -> list[dict]:
    """Every answer the unit gave to `order`, newest first, each with the evidence sent with it.
    The order keeps only its latest answer; earlier ones live in the audit log (the service writes
    one row per answer, in the same transaction as the files), so they are read from there (one
    query each for the answers and the files)."""
    from jifang.core.models import AuditEntry

    rows = list(AuditEntry.objects.filter(object_type=order._meta.label_lower, object_id=str(order.pk),
                                          action="enforcement.order.answer")
                .only("at", "actor_label", "after").order_by("seq"))
    files = list(order.evidence.order_by("id"))
    answers, start = [], None
    for row in rows:
        sent = [e for e in files if (start is None or e.uploaded_at > start) and e.uploaded_at <= row.at]
        answers.append({"at": row.at, "by": row.actor_label, "text": (row.after or {}).get("response", ""),
                        "evidence": sent})
        start = row.at
    return answers[::-1]
