"""The alarm centre's pages: the operators' live console (short polling of a fragment every second:
stateless, so it works behind gunicorn and on several web nodes), an event's page with the
operators' actions, history with filters and export, false-alarm figures, accounts and quarantine."""
import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from jifang.core.actions import REFUSED, attempt
from jifang.core.generic import ObjectDetailView, ObjectListView, Related
from jifang.core.scoping import can_write, get_visible, visible

from . import filtersets, selectors, services
from .forms import ACTION_FORMS, AccountEditForm, AccountForm, CloseForm, DispatchForm, VerifyForm
from .models import AlarmAccount, AlarmEvent, UnknownAccount

EVENT_COLUMNS = ("received_at", "label_zh", "category", "zone", "site", "unit", "status", "disposition")


@login_required
def console(request):
    return render(request, "alarms/console.html", {"lines": selectors.queue(request.user)})


@login_required
def queue_fragment(request):
    """The queue alone, fetched by the console every second."""
    return render(request, "alarms/_queue.html", {"lines": selectors.queue(request.user)})


@login_required
def event_detail(request, pk):
    event = get_visible(request.user, AlarmEvent.objects.select_related(
        "site", "unit", "device", "account", "restores", "acknowledged_by", "closed_by"), pk=pk)
    return render(request, "alarms/event_detail.html", {
        "event": event,
        "line": selectors.timer(event, timezone.now()),
        "restored_by": list(visible(request.user, event.restored_by.all())),
        "history": selectors.site_history(request.user, event),
        "cameras": selectors.site_cameras(request.user, event),
        "can_act": can_write(request.user, AlarmEvent, event),
        "forms": {"verify": VerifyForm(), "dispatch": DispatchForm(), "close": CloseForm()},
    })


SERVICES = {"verify": services.event_verify, "dispatch": services.event_dispatch, "close": services.event_close}


@require_POST
@login_required
def event_act(request, pk, action):
    """One operator action from the event's page (acknowledge, verify, dispatch, close)."""
    event = get_visible(request.user, AlarmEvent, pk=pk)
    if action == "acknowledge":
        attempt(request, lambda: services.event_acknowledge(actor=request.user, event=event), success=_("Saved."))
    elif action in SERVICES:
        form = ACTION_FORMS[action](request.POST)
        if form.is_valid():
            attempt(request, lambda: SERVICES[action](actor=request.user, event=event, **form.cleaned_data),
                    success=_("Saved."))
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        raise PermissionDenied
    return redirect("alarms:alarmevent_detail", pk=pk)


class EventList(ObjectListView):
    model = AlarmEvent
    filterset_class = filtersets.EventFilterSet
    columns = EVENT_COLUMNS
    create_roles = frozenset()
    template_name = "alarms/event_list.html"


class _Echo:
    def write(self, value):
        return value


@login_required
def event_export(request):
    """The filtered history as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
    filterset = filtersets.EventFilterSet(request.GET or None, queryset=visible(request.user, AlarmEvent))
    valid = not filterset.is_bound or filterset.is_valid()  # an invalid filter exports nothing, not everything
    rows = (filterset.qs if valid else AlarmEvent.objects.none()).select_related("site", "unit")
    header = ["接收时间 received", "事件 event", "event", "类别 category", "防区 zone", "子系统 partition",
              "场所 site", "单位 unit", "状态 status", "处理结论 disposition", "派警 dispatched to", "结案 closed"]
    local = timezone.localtime

    def lines():
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(header)
        for e in rows.order_by("-received_at", "-id").iterator(chunk_size=2000):
            yield writer.writerow([local(e.received_at).strftime("%Y-%m-%d %H:%M:%S"), e.label_zh, e.label_en,
                                   e.get_category_display(), e.zone, e.partition, e.site.name, e.unit.name,
                                   e.get_status_display(), e.get_disposition_display(), e.get_dispatched_to_display(),
                                   local(e.closed_at).strftime("%Y-%m-%d %H:%M:%S") if e.closed_at else ""])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="alarm-events.csv"'
    return response


@login_required
def figures(request):
    by = "unit" if request.GET.get("by") == "unit" else "site"
    return render(request, "alarms/figures.html", {
        "by": by, "rows": selectors.false_alarm_figures(request.user, by=by),
        "gaps": selectors.supervision_gaps(request.user)})


class AccountList(ObjectListView):
    model = AlarmAccount
    filterset_class = filtersets.AccountFilterSet
    columns = ("account", "device", "site", "unit", "key_bits", "supervision_seconds", "last_seen_at", "trouble_since")
    create_roles = frozenset({"admin", "city_officer", "district_officer"})


class AccountDetail(ObjectDetailView):
    model = AlarmAccount
    fields = ("account", "device", "system", "site", "unit", "district", "key_bits", "supervision_seconds",
              "grace_seconds", "last_seen_at", "last_source", "trouble_since")
    related = (Related(_("Alarm events"), AlarmEvent, "account", ("received_at", "label_zh", "zone", "status"),
                       "alarms:alarmevent_list", "device"),)


def _account_form(request, form, account, call):
    """Show the form; on a valid POST run the service (`call(cleaned_data)` -> account), its refusal
    landing on the form."""
    if request.method == "POST" and form.is_valid():
        result = attempt(request, lambda: call(dict(form.cleaned_data)), success=_("Saved."), form=form)
        if result is not REFUSED:
            return redirect(result.get_absolute_url())
    return render(request, "core/object_form.html", {"form": form, "object": account, "opts": AlarmAccount._meta,
                                                     "url_base": "alarms:alarmaccount"})


@login_required
def account_add(request):
    if not can_write(request.user, AlarmAccount):
        raise PermissionDenied
    form = AccountForm(request.POST or None, user=request.user)
    return _account_form(request, form, None, lambda data: services.account_register(
        actor=request.user, device=data.pop("serial"), **data))


@login_required
def account_edit(request, pk):
    account = get_visible(request.user, AlarmAccount, pk=pk)
    if not can_write(request.user, AlarmAccount, account):
        raise PermissionDenied
    initial = {"supervision_seconds": account.supervision_seconds, "grace_seconds": account.grace_seconds}
    form = AccountEditForm(request.POST or None, initial=initial, user=request.user)
    return _account_form(request, form, account, lambda data: services.account_update(
        actor=request.user, account=account, **data))


class QuarantineList(ObjectListView):
    model = UnknownAccount
    filterset_class = filtersets.UnknownAccountFilterSet
    columns = ("account", "first_seen", "last_seen", "count", "last_source", "last_frame")
    create_roles = frozenset()


