"""Video networking pages: online rates, devices offline now, retention proved per system, a
device's timeline, new channels for their unit to accept, unknown IDs. All reads are scoped."""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from jifang.core.actions import REFUSED, ServiceAction
from jifang.core.generic import ObjectDetailView, ObjectListView
from jifang.core.scoping import can_write, get_visible, visible
from jifang.registry.models import Device

from . import filtersets, selectors, services
from . import models as m

NOBODY = frozenset()          # rows the gateway writes: no "Add" button for anyone


class Overview(LoginRequiredMixin, View):
    def get(self, request):
        by = "unit" if request.GET.get("by") == "unit" else "district"
        return render(request, "video/overview.html", {
            "city": selectors.city_rate(request.user), "rows": selectors.online_rates(request.user, by), "by": by,
            "unknown": visible(request.user, m.UnknownDevice).count(),
            "new_channels": visible(request.user, m.Channel).filter(device__isnull=True).count(),
        })


class Retention(LoginRequiredMixin, View):
    def get(self, request):
        after = request.GET.get("after", "")
        systems = selectors.retention_by_system(request.user, after=int(after) if after.isdigit() else None)
        return render(request, "video/retention.html", {
            "systems": systems, "next_after": systems[-1].pk if len(systems) == 50 else None})


class EndpointList(ObjectListView):
    model = m.Endpoint
    filterset_class = filtersets.EndpointFilterSet
    create_roles = NOBODY        # the gateway creates endpoints
    columns = ("gb28181_id", "device", "unit", "online", "status_since", "last_seen_at", "recording")


class EndpointDetail(ObjectDetailView):
    model = m.Endpoint
    template_name = "video/endpoint_detail.html"
    fields = ("gb28181_id", "device", "system", "site", "unit", "district", "online", "status_since", "registered_at",
              "expires_at", "last_seen_at", "contact", "transport", "catalog_at", "recording", "clock_drift_seconds",
              "status_at")

    def extra_context(self, request, obj):
        return {"timeline": selectors.timeline(request.user, obj),
                "channels": visible(request.user, m.Channel).filter(endpoint=obj).select_related("device")[:500],
                "can_set_password": can_write(request.user, Device, obj.device),
                "own_password": bool(obj.password_token)}


class EndpointPassword(ServiceAction):
    """The unit enters the SIP password configured in its device (stored encrypted, never shown)."""

    target = m.Endpoint.objects.select_related("device")
    success = _("The device password was saved; it is not shown again.")

    def call(self, request, obj, data):
        return services.endpoint_password_set(actor=request.user, device=obj.device,
                                              password=request.POST.get("password", ""))


class ChannelList(ObjectListView):
    model = m.Channel
    filterset_class = filtersets.ChannelFilterSet
    create_roles = NOBODY
    columns = ("gb28181_id", "name", "endpoint", "device", "status", "unit", "first_seen", "last_seen")


class ChannelDetail(ObjectDetailView):
    model = m.Channel
    template_name = "video/channel_detail.html"
    fields = ("gb28181_id", "name", "endpoint", "device", "status", "manufacturer", "model", "system", "unit",
              "first_seen", "last_seen")

    def extra_context(self, request, obj):
        return {"can_accept": obj.device_id is None and can_write(request.user, m.Channel, obj)}


class ChannelAccept(ServiceAction):
    target = m.Channel.objects.all()
    success = _("The channel is now a registry device.")

    def call(self, request, obj, data):
        return services.channel_accept(actor=request.user, channel=obj, name=request.POST.get("name", ""))

    def back(self, request, obj, result) -> str:
        return obj.get_absolute_url() if result is REFUSED else result.get_absolute_url()


class UnknownDeviceList(ObjectListView):
    model = m.UnknownDevice
    filterset_class = filtersets.UnknownDeviceFilterSet
    create_roles = NOBODY
    columns = ("gb28181_id", "district", "first_seen", "last_seen", "count", "source")


class RetentionProofList(ObjectListView):
    model = m.RetentionProof
    filterset_class = filtersets.RetentionProofFilterSet
    create_roles = NOBODY
    columns = ("id", "device", "system", "outcome", "asked_at", "window_start", "window_end", "required_days")


class RetentionProofDetail(ObjectDetailView):
    model = m.RetentionProof
    template_name = "video/retentionproof_detail.html"
    fields = ("device", "channel", "system", "unit", "outcome", "required_days", "asked_at", "answered_at",
              "window_start", "window_end", "sn")


class DeviceStatusFragment(LoginRequiredMixin, View):
    """The live GB/T 28181 status block of a registry device page (polled by htmx)."""

    def get(self, request, pk):
        device = get_visible(request.user, Device.objects.all(), pk=pk)
        return render(request, "video/_device_status.html",
                      {"video": selectors.live_status(request.user, device), "device": device})
