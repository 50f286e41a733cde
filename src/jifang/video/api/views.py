"""Read-only video API: the gateway's view of devices and its retention proofs, scoped."""
from jifang.core.api import ScopedModelViewSet

from .. import filtersets
from .. import models as m
from . import serializers as s


class EndpointViewSet(ScopedModelViewSet):
    http_method_names = ["get", "head", "options"]
    queryset = m.Endpoint.objects.order_by("pk")
    serializer_class = s.EndpointSerializer
    filterset_class = filtersets.EndpointFilterSet


class RetentionProofViewSet(ScopedModelViewSet):
    http_method_names = ["get", "head", "options"]
    queryset = m.RetentionProof.objects.order_by("pk")
    serializer_class = s.RetentionProofSerializer
    filterset_class = filtersets.RetentionProofFilterSet
