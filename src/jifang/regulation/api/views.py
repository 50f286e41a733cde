"""/api/findings/ (read-only, scoped, filtered, keyset pages) and /api/packs/ (the law as data)."""
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.response import Response

from jifang.core.api import ScopedReadOnlyViewSet

from .. import packs
from ..filtersets import FindingFilterSet
from ..models import Finding
from .serializers import FindingSerializer, PackDetailSerializer, PackSerializer


class FindingViewSet(ScopedReadOnlyViewSet):
    queryset = Finding.objects.with_last_seen()
    serializer_class = FindingSerializer
    filterset_class = FindingFilterSet


def pack_json(pack, *, full: bool) -> dict:
    doc = {"id": pack.id, "title_zh": pack.meta.get("title_zh"), "title_en": pack.meta.get("title_en"),
           "order_number": pack.meta.get("order_number"), "effective_from": pack.effective_from,
           "effective_to": pack.effective_to, "jurisdiction_prefix": pack.jurisdiction_prefix,
           "version": pack.version, "checksum": pack.checksum}
    if full:
        doc["clauses"] = [{"id": c.id, "label_zh": c.label_zh, "text_zh": c.text_zh, "class": c.cls,
                           "also": list(c.also), "reason": c.reason, "penalty_article": c.penalty_article}
                          for c in pack.clauses.values()]
        doc["parameters"] = pack.params
        doc["sanctions"] = pack.sanctions
        doc["rules"] = [{"id": r.id, "clauses": list(r.clauses), "subject": r.subject} for r in pack.rules]
    return doc


@extend_schema_view(list=extend_schema(responses=PackSerializer(many=True)),
                    retrieve=extend_schema(responses=PackDetailSerializer))
class PackViewSet(viewsets.ViewSet):
    """The packs are public law: every signed-in user may read them."""

    lookup_value_regex = "[a-z0-9-]+"

    def list(self, request):
        return Response([pack_json(p, full=False) for p in packs.all_packs()])

    def retrieve(self, request, pk=None):
        try:
            return Response(pack_json(packs.get_pack(pk), full=True))
        except packs.PackError:
            raise Http404 from None
