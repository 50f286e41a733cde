"""Reads beyond plain `visible()`: the case file, the district queues and the figures. Every query
starts from `visible(user, ...)`, and the figures are GROUP BY queries, not Python loops."""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from jifang.core.roles import OFFICIALS
from jifang.core.scoping import visible
from jifang.regulation.models import Finding, Stage

from .models import (
    AmountStage, CaseStatus, Inspection, InspectionComplaint, OrderItem, OrderStatus, PenaltyAmount, PenaltyCase,
    RectificationOrder,
)

DUE_SOON_DAYS = 7


@dataclass
class Event:
    when: dt.datetime | dt.date
    kind: str
    title: str
    detail: str
    url: str


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
    cases = visible(user, PenaltyCase).filter(findings__in=finding_ids).distinct().select_related("order", "decision") \
        .order_by("-id")
    events = [Event(i.created_at, "inspection", i.number, i.site.name, i.get_absolute_url()) for i in inspections]
    events += [Event(f.first_seen, "finding", f.clause_id, f.explanation_zh, "") for f in findings]
    events += [Event(o.served_at, "order", o.number, o.get_status_display(), o.get_absolute_url()) for o in orders]
    events += [Event(c.notice_served_at, "notice", c.number, c.order.number, c.get_absolute_url()) for c in cases]
    decisions = [(c, getattr(c, "decision", None)) for c in cases]
    events += [Event(d.decided_at, "decision", d.number, c.order.number, c.get_absolute_url())
               for c, d in decisions if d is not None]
    events.sort(key=lambda e: _sortable(e.when), reverse=True)
    return {"events": events, "findings": list(findings.select_related("site")), "inspections": list(inspections),
            "orders": list(orders), "cases": list(cases)}


def _open_orders(user):
    return visible(user, RectificationOrder).exclude(status=OrderStatus.CLOSED)


def _due_soon(today: dt.date) -> Q:
    return Q(deadline__gte=today, deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS))


def _overdue_not_in_a_case(user):
    """Overdue findings no penalty case holds yet: what may now be fined."""
    in_a_case = PenaltyCase.findings.through.objects.values("finding_id")
    return visible(user, Finding).filter(stage=Stage.OVERDUE).exclude(pk__in=in_a_case)


def _undecided_cases(user):
    return visible(user, PenaltyCase).exclude(status=CaseStatus.DECIDED)


def queues(user, today: dt.date | None = None) -> dict:
    """What a bureau has to act on next."""
    today = today or timezone.localdate()
    open_orders = _open_orders(user).select_related("unit")
    return {
        "due": list(open_orders.filter(_due_soon(today)).order_by("deadline", "id")),
        "answered": list(open_orders.filter(status=OrderStatus.ANSWERED).order_by("deadline", "id")),
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
    review), overdue findings not yet in a penalty case, and cases not yet decided. Three aggregate
    queries; None when there is nothing at all."""
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
    if not any(v for k, v in figures.items() if k != "next_deadline"):
        return None
    figures["due_soon_days"] = DUE_SOON_DAYS
    figures["police"] = user.role in OFFICIALS
    return figures
