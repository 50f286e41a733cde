"""National workflows in the API: scoped reads; filings and viewing requests created through the same
services as the pages; each step of a procedure is its own action. No PATCH, no DELETE: these are
records of what was filed, reported and answered."""
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from jifang.core.api import ScopedModelViewSet, as_api_error
from jifang.core.errors import NotPermitted
from jifang.core.scoping import visible
from jifang.registry.models import Site

from .. import filtersets, services
from .. import models as m
from . import serializers as s

RECORD_METHODS = ["get", "post", "head", "options"]


def _step(viewset, call):
    try:
        obj = call()
    except (NotPermitted, DjangoValidationError) as exc:
        raise as_api_error(exc) from exc
    return Response(viewset.get_serializer(obj).data)


class SystemFilingViewSet(ScopedModelViewSet):
    """System filings (order 799 art. 14): a unit files (first or change filing, decided by the service);
    the district office receives or returns."""

    http_method_names = RECORD_METHODS
    queryset = m.SystemFiling.objects.all()
    serializer_class = s.SystemFilingSerializer
    filterset_class = filtersets.SystemFilingFilterSet
    create_service = staticmethod(services.filing_submit)

    @extend_schema(request=None, responses=s.SystemFilingSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        return _step(self, lambda: services.filing_receive(actor=request.user, filing=self.get_object()))

    @extend_schema(request=s.ReasonSerializer, responses=s.SystemFilingSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _step(self, lambda: services.filing_return(actor=request.user, filing=self.get_object(),
                                                          reason=data.validated_data["reason"]))


class PublicReportViewSet(ScopedModelViewSet):
    """Reports from the public (art. 24): the police's queue. Reports are made on the public page only."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = m.PublicReport.objects.prefetch_related("photos")
    serializer_class = s.PublicReportSerializer
    filterset_class = filtersets.PublicReportFilterSet

    def create(self, request, *args, **kwargs):
        raise NotPermitted("举报请通过公开举报页面提交", "reports are made on the public report page")

    @extend_schema(request=s.ToInspectionSerializer, responses=s.PublicReportSerializer)
    @action(detail=True, methods=["post"])
    def inspection(self, request, pk=None):
        data = s.ToInspectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = self.get_object()
        site = visible(request.user, Site).filter(code=data.validated_data["site"]).first()
        if site is None:
            raise NotFound()
        return _step(self, lambda: services.report_to_inspection(
            actor=request.user, report=report, site=site, inspected_on=data.validated_data["inspected_on"]))

    @extend_schema(request=s.ReasonSerializer, responses=s.PublicReportSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _step(self, lambda: services.report_close(actor=request.user, report=self.get_object(),
                                                         reason=data.validated_data["reason"]))


class ViewingRequestViewSet(ScopedModelViewSet):
    """Viewing requests (art. 21): the manager records, then consents (written to the usage register)
    or refuses."""

    http_method_names = RECORD_METHODS
    queryset = m.ViewingRequest.objects.all()
    serializer_class = s.ViewingRequestSerializer
    filterset_class = filtersets.ViewingRequestFilterSet
    create_service = staticmethod(services.viewing_request_record)

    @extend_schema(request=s.ConsentSerializer, responses=s.ViewingRequestSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        data = s.ConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _step(self, lambda: services.viewing_consent(actor=request.user, request=self.get_object(),
                                                            **data.validated_data))

    @extend_schema(request=s.ReasonSerializer, responses=s.ViewingRequestSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _step(self, lambda: services.viewing_refuse(actor=request.user, request=self.get_object(),
                                                           reason=data.validated_data["reason"]))
