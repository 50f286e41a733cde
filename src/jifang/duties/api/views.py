"""Duty records API: scoped reads; creation through the same services as the pages; an outage's
explanation as its own step. Records are evidence: no PATCH, no DELETE."""
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from jifang.core.api import ScopedModelViewSet, as_api_error
from jifang.core.errors import NotPermitted

from .. import filtersets, registers, services
from .. import models as m
from ..camera import CameraBaseline, CameraRecord
from . import serializers as s

EVIDENCE_METHODS = ["get", "post", "head", "options"]


class OutageViewSet(ScopedModelViewSet):
    """Outages (art_19): scoped list and detail; units record one by hand and explain one once."""

    http_method_names = EVIDENCE_METHODS
    queryset = m.Outage.objects.all()
    serializer_class = s.OutageSerializer
    filterset_class = filtersets.OutageFilterSet
    create_service = staticmethod(services.outage_record)

    @extend_schema(request=s.OutageExplainSerializer, responses=s.OutageSerializer)
    @action(detail=True, methods=["post"])
    def explain(self, request, pk=None):
        data = s.OutageExplainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            outage = services.outage_explain(actor=request.user, outage=self.get_object(), **data.validated_data)
        except (NotPermitted, DjangoValidationError) as exc:
            raise as_api_error(exc) from exc
        return Response(self.get_serializer(outage).data)


class FootageUseViewSet(ScopedModelViewSet):
    """The footage usage register (art_21 points 2-3; order 799 art. 16): scoped, append-only."""

    http_method_names = EVIDENCE_METHODS
    queryset = m.FootageUse.objects.all()
    serializer_class = s.FootageUseSerializer
    filterset_class = filtersets.FootageUseFilterSet
    create_service = staticmethod(services.footage_use_record)


def register_viewset(register) -> type[ScopedModelViewSet]:
    """One register in the API: scoped list and detail, creation through its service; no change."""
    return type(f"{register.model.__name__}ViewSet", (ScopedModelViewSet,), {
        "__module__": __name__, "__doc__": f"{register.model._meta.verbose_name_plural}: scoped, append-only.",
        "http_method_names": EVIDENCE_METHODS, "queryset": register.model.objects.all(),
        "serializer_class": s.register_serializer(register),
        "filterset_class": filtersets.register_filterset(register),
        "create_service": staticmethod(register.service),
    })


class SuspicionReportViewSet(register_viewset(registers.BY_NAME["suspicionreport"])):
    """Reports of suspicious situations (art_21 point 6): the unit reports, the district acknowledges."""

    @extend_schema(request=s.AcknowledgeSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        data = s.AcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            report = services.suspicion_report_acknowledge(actor=request.user, report=self.get_object(),
                                                           **data.validated_data)
        except (NotPermitted, DjangoValidationError) as exc:
            raise as_api_error(exc) from exc
        return Response(self.get_serializer(report).data)


REGISTER_VIEWSETS = {r.name: SuspicionReportViewSet if r.model is m.SuspicionReport else register_viewset(r)
                     for r in registers.REGISTERS}


class CameraRecordViewSet(ScopedModelViewSet):
    """Camera records (art_21 point 4, art_22 point 2): approved changes and facts found; append-only."""

    http_method_names = EVIDENCE_METHODS
    queryset = CameraRecord.objects.all()
    serializer_class = s.CameraRecordSerializer
    filterset_class = filtersets.CameraRecordFilterSet
    create_service = staticmethod(services.camera_record_create)


class CameraBaselineViewSet(ScopedModelViewSet):
    """Each camera's approved baseline in force and the latest facts found: read only (kept by the
    services from the camera records)."""

    http_method_names = ["get", "head", "options"]
    queryset = CameraBaseline.objects.all()
    serializer_class = s.CameraBaselineSerializer
    filterset_class = filtersets.CameraBaselineFilterSet
