"""The inbox, the bell in the top bar (loaded by htmx, so that no other page pays for its count),
and the preferences page."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jifang.core.pagination import DEFAULT_PAGE_SIZE, parse_cursor
from jifang.core.scoping import is_id

from . import services
from .models import Kind
from .selectors import inbox, unread_count
from .texts import text

CHANNELS = ("enabled", "email", "sms")


@login_required
@require_GET
def bell(request):
    return render(request, "notifications/_bell.html", {"unread": unread_count(request.user)})


@login_required
@require_GET
def inbox_page(request):
    """Newest first, keyset pages (?before=<id>)."""
    qs = inbox(request.user).select_related("acceptance")
    before = parse_cursor(request.GET.get("before"))
    if before is not None:
        qs = qs.filter(pk__lt=before)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    rows = list(qs.order_by("-pk")[:DEFAULT_PAGE_SIZE + 1])
    more = len(rows) > DEFAULT_PAGE_SIZE
    rows = rows[:DEFAULT_PAGE_SIZE]
    items = [{"n": n, "text": text(n), "url": n.get_absolute_url()} for n in rows]
    return render(request, "notifications/inbox.html", {
        "items": items, "next_before": rows[-1].pk if more else None, "unread": unread_count(request.user),
        "only_unread": bool(request.GET.get("unread"))})


@login_required
@require_POST
def open_notification(request, pk: int):
    """Mark it read and go to its record (404 for another user's or an unseen one)."""
    n = get_visible_notification(request.user, pk)
    services.notifications_mark_read(actor=request.user, ids=[n.pk])
    return redirect(n.get_absolute_url())


def get_visible_notification(user, pk):
    if not is_id(pk):
        raise Http404
    return get_object_or_404(inbox(user).select_related("acceptance"), pk=pk)


@login_required
@require_POST
def mark_all_read(request):
    services.notifications_mark_read(actor=request.user)
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    if request.method == "POST":
        choices = {kind: {c: request.POST.get(f"{kind}-{c}") == "on" for c in CHANNELS} for kind in Kind.values}
        services.preferences_set(actor=request.user, choices=choices)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    saved = {p.kind: p for p in request.user.notification_preferences.all()}
    rows = [{"kind": kind, "label": label, "enabled": saved[kind].enabled if kind in saved else True,
             "email": kind in saved and saved[kind].email, "sms": kind in saved and saved[kind].sms}
            for kind, label in Kind.choices]
    return render(request, "notifications/preferences.html", {"rows": rows})
