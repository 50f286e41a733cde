"""Alarm-centre API: the same scoped reads and the same services as the console.

GET /api/alarm-events/?status=new&category=fire ; GET /api/alarm-events/queue/ (open, by priority);
POST /api/alarm-events/<id>/acknowledge|verify|dispatch|close/ ; GET /api/alarm-accounts/."""
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from jifang.core.api import as_api_error
from jifang.core.errors import NotPermitted
from jifang.core.scoping import visible

from .. import filtersets, selectors, services
from ..models import AlarmAccount, AlarmEvent
from . import serializers as s


def _act(name: str, input_class, service, path: str | None = None):
    def handler(self, request, pk=None):
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            service(actor=request.user, event=self.get_object(), **data.validated_data)
        except (NotPermitted, DjangoValidationError) as exc:
            raise as_api_error(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data)

    handler.__name__ = name
    return extend_schema(request=input_class)(action(detail=True, methods=["post"], url_path=path or name)(handler))


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AlarmEvent.objects.all()
    serializer_class = s.EventSerializer
    filterset_class = filtersets.EventFilterSet

    def get_queryset(self):
        return visible(self.request.user, self.queryset.all())

    @action(detail=False)
    def queue(self, request):
        """Open events in the caller's scope, escalated first, then by priority."""
        lines = selectors.queue(request.user)
        return Response([{**self.get_serializer(line.event).data, "waiting_seconds": int(line.waiting.total_seconds()),
                          "escalated": line.escalated} for line in lines])

    acknowledge = _act("acknowledge", s.EmptyInput, services.event_acknowledge)
    verify = _act("verify", s.VerifyInput, services.event_verify)
    # not "dispatch": that name is the view's own request entry point
    dispatch_to = _act("dispatch_to", s.DispatchInput, services.event_dispatch, path="dispatch")
    close = _act("close", s.CloseInput, services.event_close)


class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AlarmAccount.objects.all()
    serializer_class = s.AccountSerializer
    filterset_class = filtersets.AccountFilterSet

    def get_queryset(self):
        return visible(self.request.user, self.queryset.all())
