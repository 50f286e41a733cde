"""Findings, the law page and the scan action. Reads go through `visible`; the scan goes through
services.scan, which checks the officer's area."""
import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from jifang.core.actions import REFUSED, attempt
from jifang.core.generic import ObjectDetailView, ObjectListView
from jifang.core.roles import POLICE_AND_ADMIN

from . import filtersets, labels, selectors, services
from .coverage import KUNMING
from .engine import params_used
from .models import Finding
from .packs import PackError, all_packs, get_pack

CLASS_LABELS = {
    "check": gettext_lazy("automatic check"), "workflow": gettext_lazy("workflow or permission"),
    "record": gettext_lazy("record kept"), "scope": gettext_lazy("scope or definition"),
    "penalty": gettext_lazy("penalty"), "validity": gettext_lazy("validity"),
    "declarative": gettext_lazy("declarative"),
}


class FindingList(ObjectListView):
    model = Finding
    filterset_class = filtersets.FindingFilterSet
    columns = ("subject_label", "pack_title", "clause_label", "rule_title", "outcome", "status", "stage", "district", "site",
               "first_seen", "last_seen")
    template_name = "regulation/finding_list.html"

    def queryset(self, request):
        return super().queryset(request).with_last_seen()

    def can_create(self, request) -> bool:
        return False  # findings come from scans and services.finding_raise, never from a blank form


class FindingDetail(ObjectDetailView):
    model = Finding
    fields = ("subject_type_label", "subject_key", "rule_title", "clause_label", "outcome", "status", "stage",
              "district", "unit", "site", "firm", "first_seen", "last_seen", "resolved_on", "unseen_since",
              "pack_title", "pack_version")
    template_name = "regulation/finding_detail.html"

    def base_queryset(self):
        return Finding.objects.with_last_seen()

    def extra_context(self, request, obj) -> dict:
        return {"explain": selectors.explain(obj), "can_edit": False}


def _articles(pack, counts: dict) -> list[dict]:
    """The pack's clauses grouped by article, in order, each with its rules and open-finding count."""
    rules_by_clause: dict[str, list] = {}
    for rule in pack.rules:
        for cid in rule.clauses:
            rules_by_clause.setdefault(cid, []).append(rule.id)
    articles: dict[int, dict] = {}
    for c in pack.clauses.values():
        number = int(c.id.split("__")[0].removeprefix("art_"))
        article = articles.setdefault(number, {"number": number, "clauses": []})
        article["clauses"].append({
            "clause": c, "class_label": CLASS_LABELS.get(c.cls, c.cls), "rules": rules_by_clause.get(c.id, []),
            "open": counts.get(c.id, 0),
        })
    return [articles[n] for n in sorted(articles)]


class LawView(LoginRequiredMixin, View):
    """The regulation article by article: each clause with its class, rules and the open findings
    the viewer may see (one aggregate query for the whole page)."""

    def get(self, request, pack_id=KUNMING):
        try:
            pack = get_pack(pack_id)
        except PackError:
            raise Http404 from None
        counts = selectors.open_counts_by_clause(request.user, pack.id)
        params = [{"name": name, "label": labels.param_label(entry, name), **entry}
                  for name, entries in pack.params.items() for entry in entries]
        return render(request, "regulation/law.html", {
            "pack": pack, "title": labels.pack_title(pack.id), "area": labels.area_label(pack.jurisdiction_prefix),
            "articles": _articles(pack, counts), "params": params,
            "sanctions": list(pack.sanctions.values()), "can_scan": request.user.role in POLICE_AND_ADMIN,
            "rule_params": {r.id: sorted(params_used(r)) for r in pack.rules},
            "packs": sorted(all_packs(), key=lambda p: (p.rank, p.id)), "level": labels.level_label(pack.id),
        })


class ScanView(LoginRequiredMixin, View):
    """POST: run the scan over the officer's area (city: everything; district: their district)."""

    def post(self, request):
        try:
            as_of = dt.date.fromisoformat(request.POST["as_of"]) if request.POST.get("as_of") else None
        except ValueError:
            messages.error(request, _("The as-of date is not a valid date."))
            return redirect("regulation:law")
        if request.user.role not in POLICE_AND_ADMIN:
            raise PermissionDenied
        run = attempt(request, lambda: services.scan(actor=request.user, as_of=as_of))
        if run is REFUSED:
            return redirect("regulation:law")
        c = run.counts
        messages.success(request, _("Scan as of %(date)s: %(v)d violations, %(u)d undetermined, %(n)d new, "
                                    "%(r)d resolved.") % {"date": run.as_of, "v": c["violation"],
                                                         "u": c["undetermined"], "n": c["new"], "r": c["resolved"]})
        return redirect("regulation:finding_list")
