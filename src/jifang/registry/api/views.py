"""Registry API: one scoped viewset per model, declared like the UI views (same filtersets,
same services)."""
from jifang.core.api import ScopedModelViewSet

from .. import filtersets, services
from .. import models as m
from . import serializers as s


class UnitViewSet(ScopedModelViewSet):
    queryset = m.Unit.objects.all()
    serializer_class = s.UnitSerializer
    filterset_class = filtersets.UnitFilterSet
    create_service = services.unit_create
    update_service = services.unit_update
    update_kwarg = "unit"


class FirmViewSet(ScopedModelViewSet):
    queryset = m.Firm.objects.all()
    serializer_class = s.FirmSerializer
    filterset_class = filtersets.FirmFilterSet
    create_service = services.firm_create
    update_service = services.firm_update
    update_kwarg = "firm"


class ProductViewSet(ScopedModelViewSet):
    queryset = m.Product.objects.all()
    serializer_class = s.ProductSerializer
    filterset_class = filtersets.ProductFilterSet
    create_service = services.product_create
    update_service = services.product_update
    update_kwarg = "product"


class SiteViewSet(ScopedModelViewSet):
    queryset = m.Site.objects.all()
    serializer_class = s.SiteSerializer
    filterset_class = filtersets.SiteFilterSet
    create_service = services.site_create
    update_service = services.site_update
    update_kwarg = "site"


class SitePartViewSet(ScopedModelViewSet):
    queryset = m.SitePart.objects.all()
    serializer_class = s.SitePartSerializer
    filterset_class = filtersets.SitePartFilterSet
    create_service = services.site_part_create
    update_service = services.site_part_update
    update_kwarg = "part"


class SystemViewSet(ScopedModelViewSet):
    queryset = m.SecuritySystem.objects.all()
    serializer_class = s.SystemSerializer
    filterset_class = filtersets.SystemFilterSet
    create_service = services.system_create
    update_service = services.system_update
    update_kwarg = "system"


class DeviceViewSet(ScopedModelViewSet):
    queryset = m.Device.objects.all()
    serializer_class = s.DeviceSerializer
    filterset_class = filtersets.DeviceFilterSet
    create_service = services.device_create
    update_service = services.device_update
    update_kwarg = "device"
