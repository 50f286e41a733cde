"""Reads beyond plain `visible()` for the national app: the home page's panel (one aggregate query
per record type, through `visible`, so a district officer counts their district, the city all)."""
from django.db.models import Count, Q

from jifang.core.roles import OFFICIALS, Role
from jifang.core.scoping import visible

from .models import FilingStatus, PublicReport, ReportStatus, SystemFiling, ViewingRequest, ViewingStatus


def _filings(user) -> dict:
    return visible(user, SystemFiling).aggregate(
        submitted=Count("id", filter=Q(status=FilingStatus.SUBMITTED)),
        returned=Count("id", filter=Q(status=FilingStatus.RETURNED)),
        received=Count("id", filter=Q(status=FilingStatus.RECEIVED)),
    )


def home_figures(user) -> dict | None:
    """The police: system filings awaiting receipt (art. 14) and reports from the public awaiting
    handling (art. 24). A unit: its own filings by status and the viewing requests (art. 21) it has
    not answered. None when there is nothing to show (firms, or a unit with no filing)."""
    if user.role in OFFICIALS:
        figures = {"police": True, "filings_submitted": _filings(user)["submitted"],
                   "reports_received": visible(user, PublicReport).filter(status=ReportStatus.RECEIVED).count()}
    elif user.role == Role.UNIT_USER:
        filings = _filings(user)
        figures = {"police": False, **{f"filings_{k}": n for k, n in filings.items()},
                   "viewing_pending": visible(user, ViewingRequest).filter(status=ViewingStatus.PENDING).count()}
    else:
        return None
    return figures if any(v for k, v in figures.items() if k != "police") else None
