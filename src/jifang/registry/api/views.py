"""Registry API: one scoped viewset per model, built from the same pieces as the UI views
(the FilterSets of registry/filtersets.py, the service functions of registry/services.py)."""
from jifang.core.api import scoped_viewset

from .. import filtersets as fs
from .. import models as m
from .. import services as sv
from . import serializers as s

UnitViewSet = scoped_viewset(m.Unit, s.UnitSerializer, fs.UnitFilterSet, sv.unit_create, sv.unit_update, "unit")
FirmViewSet = scoped_viewset(m.Firm, s.FirmSerializer, fs.FirmFilterSet, sv.firm_create, sv.firm_update, "firm")
ProductViewSet = scoped_viewset(m.Product, s.ProductSerializer, fs.ProductFilterSet, sv.product_create,
                                sv.product_update, "product")
SiteViewSet = scoped_viewset(m.Site, s.SiteSerializer, fs.SiteFilterSet, sv.site_create, sv.site_update, "site")
SitePartViewSet = scoped_viewset(m.SitePart, s.SitePartSerializer, fs.SitePartFilterSet, sv.site_part_create,
                                 sv.site_part_update, "part")
SystemViewSet = scoped_viewset(m.SecuritySystem, s.SystemSerializer, fs.SystemFilterSet, sv.system_create,
                               sv.system_update, "system")
DeviceViewSet = scoped_viewset(m.Device, s.DeviceSerializer, fs.DeviceFilterSet, sv.device_create,
                               sv.device_update, "device")
