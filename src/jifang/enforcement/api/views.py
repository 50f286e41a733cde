"""Enforcement API: scoped reads of inspections, orders and cases; each write is one service call
(the same refusals as the UI, as 400/403 with the bilingual reason)."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action, api_view
from rest_framework.response import Response

from jifang.core.api import ScopedReadOnlyViewSet, as_api_error
from jifang.core.errors import NotPermitted
from jifang.core.scoping import get_visible, visible
from jifang.regulation.models import Finding
from jifang.registry.models import Site, Unit

from .. import filtersets, records, selectors, services
from .. import models as m
from . import serializers as s


def _call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except (NotPermitted, DjangoValidationError) as exc:
        raise as_api_error(exc) from exc


def _input(serializer_class, request) -> dict:
    ser = serializer_class(data=request.data)
    ser.is_valid(raise_exception=True)
    return ser.validated_data


def _findings(user, ids) -> list:
    found = list(visible(user, Finding).filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise as_api_error(NotPermitted("有的发现不存在或不在您的范围内", "some findings do not exist or are out of scope"))
    return found


def _penalty_notice(request, **ground) -> Response:
    """POST .../penalty/ on an order (overdue findings) or an inspection (fined at once)."""
    data = _input(s.PenaltyNoticeSerializer, request)
    case = _call(services.penalty_notice_issue, actor=request.user,
                 findings=_findings(request.user, data.pop("findings")), **ground, **data)
    return Response(s.CaseSerializer(case).data, status=201)


class ScopedReadViewSet(ScopedReadOnlyViewSet):
    record_type = ""

    @action(detail=True, methods=["get"])
    def verification(self, request, pk=None):
        return Response(s.VerificationSerializer(records.verification(self.record_type, self.get_object())).data)


class InspectionViewSet(ScopedReadViewSet):
    queryset = m.Inspection.objects.prefetch_related("items", "finding_links")
    serializer_class = s.InspectionSerializer
    filterset_class = filtersets.InspectionFilterSet
    record_type = records.INSPECTION

    @extend_schema(request=s.InspectionCreateSerializer, responses={201: s.InspectionSerializer})
    def create(self, request):
        data = _input(s.InspectionCreateSerializer, request)
        site = get_visible(request.user, Site, pk=data.pop("site"))
        insp = _call(services.inspection_create, actor=request.user, site=site, **data)
        return Response(s.InspectionSerializer(insp).data, status=201)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        sig = _call(services.inspection_sign, actor=request.user, inspection=self.get_object())
        return Response({"key_fingerprint": sig.key_fingerprint, "code": sig.code, "record_hash": sig.record_hash})

    @extend_schema(request=s.PenaltyNoticeSerializer, responses={201: s.CaseSerializer})
    @action(detail=True, methods=["post"])
    def penalty(self, request, pk=None):
        """A case without an order, where the law fines at once (order 799 art. 27 para. 1, art. 28)."""
        return _penalty_notice(request, inspection=self.get_object())


class OrderViewSet(ScopedReadViewSet):
    queryset = m.RectificationOrder.objects.prefetch_related("items__finding")
    serializer_class = s.OrderSerializer
    filterset_class = filtersets.OrderFilterSet
    record_type = records.ORDER

    @extend_schema(request=s.OrderIssueSerializer, responses={201: s.OrderSerializer})
    def create(self, request):
        data = _input(s.OrderIssueSerializer, request)
        order = _call(services.rectification_order_issue, actor=request.user,
                      findings=_findings(request.user, data.pop("findings")), **data)
        return Response(s.OrderSerializer(order).data, status=201)

    @extend_schema(request=s.OrderAnswerSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        order = _call(services.rectification_order_answer, actor=request.user, order=self.get_object(),
                      **_input(s.OrderAnswerSerializer, request))
        return Response(s.OrderSerializer(order).data)

    @extend_schema(request=s.OrderReviewSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        data = _input(s.OrderReviewSerializer, request)
        item = get_object_or_404(m.OrderItem, pk=data.pop("item"), order=self.get_object())
        _call(services.order_item_review, actor=request.user, item=item, **data)
        return Response(s.OrderSerializer(self.get_object()).data)

    @extend_schema(request=s.PenaltyNoticeSerializer, responses={201: s.CaseSerializer})
    @action(detail=True, methods=["post"])
    def penalty(self, request, pk=None):
        return _penalty_notice(request, order=self.get_object())


class CaseViewSet(ScopedReadViewSet):
    queryset = m.PenaltyCase.objects.prefetch_related("amounts", "findings")
    serializer_class = s.CaseSerializer
    filterset_class = filtersets.CaseFilterSet
    record_type = records.NOTICE

    @extend_schema(request=s.PenaltyStatementSerializer)
    @action(detail=True, methods=["post"])
    def statement(self, request, pk=None):
        case = _call(services.penalty_statement_record, actor=request.user, case=self.get_object(),
                     **_input(s.PenaltyStatementSerializer, request))
        return Response(s.CaseSerializer(case).data)

    @extend_schema(request=s.PenaltyAmountsSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = _input(s.PenaltyAmountsSerializer, request)
        data["facts"] = data["facts"] or None
        decision = _call(services.penalty_decide, actor=request.user, case=self.get_object(), **data)
        return Response(s.CaseSerializer(decision.case).data)


def _rows(rows):
    return [{k: (str(v) if k == "total" else v) for k, v in r.items()} for r in rows]


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def queues(request):
    q = selectors.queues(request.user)
    return Response({
        "due": s.OrderSerializer(q["due"], many=True).data,
        "answered": s.OrderSerializer(q["answered"], many=True).data,
        "overdue": [{"finding": f.pk, "clause_id": f.clause_id, "unit": f.unit_id, "site": f.site_id}
                    for f in q["overdue"]],
        "cases": s.CaseSerializer(q["cases"], many=True).data,
    })


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def figures(request):
    data = selectors.figures(request.user)
    return Response({k: _rows(v) if isinstance(v, list) else v for k, v in data.items()})


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def casefile(request, kind, pk):
    model, key = (Unit, "unit") if kind == "unit" else (Site, "site")
    subject = get_visible(request.user, model, pk=pk)
    data = selectors.casefile(request.user, **{key: subject})
    return Response({
        "events": [{"when": e.when, "kind": e.kind, "title": e.title, "detail": e.detail} for e in data["events"]],
        "inspections": s.InspectionSerializer(data["inspections"], many=True).data,
        "orders": s.OrderSerializer(data["orders"], many=True).data,
        "cases": s.CaseSerializer(data["cases"], many=True).data,
    })
