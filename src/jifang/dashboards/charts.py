"""The city at a glance (art. 5, 9): the figures officials would rather look at than read, as charts
drawn on the server (SVG, no script, nothing loaded from outside).

Each chart is one aggregate query over `visible(user, ...)`, so a district officer sees their district
and the page costs the same few queries at any size; each bar links to the filtered list behind it.
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jifang.core.divisions import DISTRICTS
from jifang.core.scoping import visible
from jifang.enforcement.models import AmountStage, CaseStatus, OrderStatus, PenaltyAmount, PenaltyCase, RectificationOrder
from jifang.regulation.models import Finding, Outcome
from jifang.regulation.packs import all_packs
from jifang.regulation.labels import area_label, clause_label, pack_short
from jifang.regulation.selectors import open_counts_by_clause
from jifang.registry.models import Art6Point, SecuritySystem, Site
from jifang.works.models import Filing

WEEKS = 12
MONTHS = 12
TOP_CLAUSES = 12

# Geometry of the SVG (user units; the browser scales the viewBox to the card's width).
WIDTH, LABEL, ROW, BAR = 640, 150, 24, 16
COLUMNS_HEIGHT = 170


@dataclass
class Segment:
    value: int | Decimal
    kind: str  # the CSS class: good, bad, warn, neutral
    label: str
    url: str
    x: float = 0  # the rectangle, in SVG user units
    y: float = 0
    w: float = 0
    h: float = 0


@dataclass
class Bar:
    label: str
    segments: list[Segment]
    total: int | Decimal = 0
    label_x: float = 0  # where the bar's name and its total are written
    label_y: float = 0
    value_x: float = 0
    value_y: float = 0


@dataclass
class Chart:
    key: str
    title: str
    clause: str  # the article the figure answers to, as officials cite it
    bars: list[Bar]
    legend: list[tuple[str, str]] = field(default_factory=list)  # (kind, label)
    columns: bool = False  # vertical columns (a time series) instead of horizontal bars
    height: float = 0

    @property
    def empty(self) -> bool:
        return not any(b.total for b in self.bars)


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode({k: v for k, v in params.items() if v is not None})}"


def _layout(chart: Chart) -> Chart:
    """Place the bars: horizontal rows scaled to the longest, or columns scaled to the tallest."""
    for bar in chart.bars:
        bar.total = sum(s.value for s in bar.segments)
    top = float(max((b.total for b in chart.bars), default=0) or 1)
    if chart.columns:
        step = WIDTH / max(len(chart.bars), 1)
        for i, bar in enumerate(chart.bars):
            base = COLUMNS_HEIGHT
            for seg in bar.segments:
                seg.h = float(seg.value) / top * (COLUMNS_HEIGHT - 20)
                seg.x, seg.w, seg.y = i * step + step * 0.15, step * 0.7, base - seg.h
                base = seg.y
            bar.label_x, bar.label_y = i * step + step / 2, COLUMNS_HEIGHT + 16
            bar.value_x, bar.value_y = bar.label_x, base - 4
        chart.height = COLUMNS_HEIGHT + 22
        return chart
    for i, bar in enumerate(chart.bars):
        x = LABEL
        for seg in bar.segments:
            seg.w = float(seg.value) / top * (WIDTH - LABEL - 70)
            seg.x, seg.y, seg.h = x, i * ROW, BAR
            x += seg.w
        bar.label_x, bar.label_y = 0, i * ROW + 13
        bar.value_x, bar.value_y = x + 4, i * ROW + 13
    chart.height = max(len(chart.bars), 1) * ROW
    return chart


def _has_system():
    return Exists(SecuritySystem.objects.filter(site_id=OuterRef("pk")))


def mandatory_sites(user, by: str) -> Chart:
    """Sites art_6 requires to have a system, with and without one, per district or per category."""
    key = "district_id" if by == "district" else "art6_point"
    rows = (visible(user, Site).filter(art6_point__isnull=False).order_by().values(key)
            .annotate(with_system=Count("id", filter=Q(_has_system())),
                      without=Count("id", filter=~Q(_has_system()))))
    found = {r[key]: r for r in rows}
    labels = ({code: area_label(code) for code in DISTRICTS} if by == "district"
              else {p.value: p.label for p in Art6Point})
    bars = []
    for value, label in labels.items():
        r = found.get(value)
        if r is None:
            continue
        query = {"district" if by == "district" else "art6_point": value, "mandatory": "true"}
        bars.append(Bar(str(label), [
            Segment(r["with_system"], "good", _("with a system"),
                    _url("registry:site_list", **query, has_system="true")),
            Segment(r["without"], "bad", _("without a system"),
                    _url("registry:site_list", **query, has_system="false")),
        ]))
    title = (_("Sites required to have a system, by district") if by == "district"
             else _("Sites required to have a system, by art. 6 category"))
    return _layout(Chart(f"mandatory_by_{by}", title, _("Art. 6"), bars,
                         [("good", _("with a system")), ("bad", _("without a system"))]))


def open_findings_by_clause(user) -> Chart:
    """Counted as the home page and the law page count them (regulation.selectors), for every law
    in force: a bar names its law where the two share clause numbers."""
    counts = [(n, pack.id, clause) for pack in all_packs()
              for clause, n in open_counts_by_clause(user, pack.id).items()]
    counts = sorted(counts, key=lambda c: (-c[0], c[1], c[2]))[:TOP_CLAUSES]
    bars = [Bar(f"{pack_short(pack_id)} {clause_label(clause, pack_id=pack_id)}", [
        Segment(n, "bad", _("open violations"),
                _url("regulation:finding_list", pack=pack_id, clause=clause, status="open", outcome="violation"))])
        for n, pack_id, clause in counts]
    return _layout(Chart("findings_by_clause", _("Open violations by clause"), _("Art. 9"), bars,
                         [("bad", _("open violations"))]))


def findings_per_week(user, today: dt.date) -> Chart:
    """Violations first seen per week over the last twelve weeks (Monday to Sunday)."""
    monday = today - dt.timedelta(days=today.weekday())
    first = monday - dt.timedelta(weeks=WEEKS - 1)
    rows = dict(visible(user, Finding).filter(outcome=Outcome.VIOLATION, first_seen__gte=first).order_by()
                .annotate(week=TruncWeek("first_seen")).values_list("week").annotate(n=Count("id")))
    counts = {(k.date() if isinstance(k, dt.datetime) else k): n for k, n in rows.items()}
    bars = []
    for i in range(WEEKS):
        start = first + dt.timedelta(weeks=i)
        end = start + dt.timedelta(days=6)
        bars.append(Bar(f"{start:%m-%d}", [Segment(counts.get(start, 0), "warn", _("first seen that week"),
                                                   _url("regulation:finding_list", outcome="violation",
                                                        first_seen_after=start.isoformat(),
                                                        first_seen_before=end.isoformat()))]))
    return _layout(Chart("findings_per_week", _("Violations found per week"), _("Art. 9"), bars,
                         [("warn", _("first seen that week"))], columns=True))


def order_deadlines(user, today: dt.date) -> Chart:
    """Orders not yet closed, by how their correction deadline stands."""
    week, month = today + dt.timedelta(days=7), today + dt.timedelta(days=30)
    pending = Q(status__in=[OrderStatus.SERVED, OrderStatus.ANSWERED])
    figures = visible(user, RectificationOrder).aggregate(
        overdue=Count("id", filter=pending & Q(deadline__lt=today)),
        week=Count("id", filter=pending & Q(deadline__gte=today, deadline__lte=week)),
        month=Count("id", filter=pending & Q(deadline__gt=week, deadline__lte=month)),
        later=Count("id", filter=pending & Q(deadline__gt=month)),
        closed=Count("id", filter=Q(status=OrderStatus.CLOSED)),
    )
    one_day = dt.timedelta(days=1)
    spans = [
        ("overdue", "bad", _("deadline passed"), None, today - one_day),
        ("week", "warn", _("due within 7 days"), today, week),
        ("month", "neutral", _("due within 30 days"), week + one_day, month),
        ("later", "good", _("due later"), month + one_day, None),
    ]
    bars = [Bar(label, [Segment(figures[key], kind, label, _url(
        "enforcement:rectificationorder_list", open="true",
        deadline_after=start.isoformat() if start else None, deadline_before=end.isoformat() if end else None))])
        for key, kind, label, start, end in spans]
    bars.append(Bar(_("closed"), [Segment(figures["closed"], "neutral", _("closed"),
                                          _url("enforcement:rectificationorder_list", status=OrderStatus.CLOSED))]))
    return _layout(Chart("order_deadlines", _("Rectification orders and their deadlines"), _("Art. 23"), bars))


def fines_per_month(user, today: dt.date) -> Chart:
    """Fines decided per month (yuan), over the last twelve months."""
    index = today.year * 12 + today.month - 1 - (MONTHS - 1)  # twelve months ending with this one
    first = dt.date(index // 12, index % 12 + 1, 1)
    # the decision is its own sealed record (enforcement.PenaltyDecision); months in Asia/Shanghai
    cases = visible(user, PenaltyCase).filter(status=CaseStatus.DECIDED, decision__decided_at__date__gte=first)
    rows = dict(PenaltyAmount.objects.filter(stage=AmountStage.DECISION, case__in=cases.values("pk")).order_by()
                .annotate(month=TruncMonth("case__decision__decided_at")).values_list("month").annotate(total=Sum("amount")))
    totals = {(k.date() if isinstance(k, dt.datetime) else k).replace(day=1): v for k, v in rows.items()}
    bars, month = [], first
    while month <= today:
        nxt = (month + dt.timedelta(days=32)).replace(day=1)
        bars.append(Bar(f"{month:%Y-%m}", [Segment(totals.get(month, Decimal(0)), "neutral", _("yuan decided"),
                                                   _url("enforcement:penaltycase_list", status=CaseStatus.DECIDED,
                                                        decided_after=month.isoformat(),
                                                        decided_before=(nxt - dt.timedelta(days=1)).isoformat()))]))
        month = nxt
    return _layout(Chart("fines_per_month", _("Fines decided per month (yuan)"), _("Art. 24, 25"), bars,
                         [("neutral", _("yuan decided"))], columns=True))


def filings_on_time(user) -> Chart:
    rows = (visible(user, Filing).order_by().values("district_id")
            .annotate(on_time=Count("id", filter=Q(filed_on__lte=F("due_on"))),
                      late=Count("id", filter=Q(filed_on__gt=F("due_on")))))
    found = {r["district_id"]: r for r in rows}
    bars = [Bar(area_label(code), [
        Segment(found[code]["on_time"], "good", _("filed on time"),
                _url("works:filing_list", district=code, on_time="true")),
        Segment(found[code]["late"], "bad", _("filed late"), _url("works:filing_list", district=code, on_time="false")),
    ]) for code in DISTRICTS if code in found]
    return _layout(Chart("filings_on_time", _("Filings of completed works, on time or late"), _("Art. 16"), bars,
                         [("good", _("filed on time")), ("bad", _("filed late"))]))


def charts(user) -> list[Chart]:
    today = timezone.localdate()
    return [mandatory_sites(user, "district"), mandatory_sites(user, "category"), open_findings_by_clause(user),
            findings_per_week(user, today), order_deadlines(user, today), fines_per_month(user, today),
            filings_on_time(user)]


PAGE_TITLE = gettext_lazy("The city at a glance")
