from django.urls import path

from jifang.core.generic import ObjectCorrectView
from jifang.core.writes import correctable

from . import views

app_name = "registry"


def crud(prefix: str, name: str, list_view, detail_view, edit_view) -> list:
    """list / detail / add / edit routes named <name>_list, _detail, _add, _edit, and _correct for a
    model with facts only a procedure establishes (core/writes.py)."""
    routes = [
        path(f"{prefix}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", edit_view.as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", edit_view.as_view(), name=f"{name}_edit"),
    ]
    if correctable(edit_view.model):
        routes.append(path(f"{prefix}/<int:pk>/correct/", ObjectCorrectView.as_view(model=edit_view.model),
                           name=f"{name}_correct"))
    return routes


urlpatterns = [
    *crud("units", "unit", views.UnitList, views.UnitDetail, views.UnitEdit),
    *crud("firms", "firm", views.FirmList, views.FirmDetail, views.FirmEdit),
    *crud("products", "product", views.ProductList, views.ProductDetail, views.ProductEdit),
    *crud("parts", "sitepart", views.SitePartList, views.SitePartDetail, views.SitePartEdit),
    *crud("systems", "securitysystem", views.SystemList, views.SystemDetail, views.SystemEdit),
    *crud("sites", "site", views.SiteList, views.SiteDetail, views.SiteEdit),
    *crud("devices", "device", views.DeviceList, views.DeviceDetail, views.DeviceEdit),
]
