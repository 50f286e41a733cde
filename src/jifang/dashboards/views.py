"""Home page, search and the charts: all show only what the signed-in user may see."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import render

from jifang.core.roles import OFFICIALS
from jifang.core.scoping import visible
from jifang.registry.models import Device, Site, Unit

from . import charts as chart_figures
from .panels import panels_for
from .selectors import home_figures


@login_required
def home(request):
    """Scoped registry figures for the user's role, then the panels other apps register
    (findings, works, enforcement) in their declared order."""
    user = request.user
    return render(request, "dashboards/home.html", {"figures": home_figures(user), "panels": panels_for(user)})


SEARCH_LIMIT = 20


@login_required
def search(request):
    """Find a unit, site or device by name, credit code, code, serial or address, in scope."""
    q = (request.GET.get("q") or "").strip()[:100]
    results = {}
    if q:
        user = request.user
        results = {
            "units": visible(user, Unit).filter(
                Q(name__icontains=q) | Q(credit_code=q.upper()) | Q(address__icontains=q)
            ).select_related("district")[:SEARCH_LIMIT],
            "sites": visible(user, Site).filter(
                Q(name__icontains=q) | Q(code=q) | Q(address__icontains=q)
            ).select_related("unit", "district")[:SEARCH_LIMIT],
            "devices": visible(user, Device).filter(Q(serial=q) | Q(name__icontains=q) | Q(gb28181_id=q))
            .select_related("site")[:SEARCH_LIMIT],
        }
    return render(request, "dashboards/search.html", {"q": q, "results": results})


@login_required
def charts(request):
    """The city at a glance for the officials (art. 5, 9): each figure scoped to the user's area."""
    if request.user.role not in OFFICIALS:
        raise PermissionDenied
    return render(request, "dashboards/charts.html", {"charts": chart_figures.charts(request.user),
                                                      "title": chart_figures.PAGE_TITLE})
