from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jifang.registry"
    label = "registry"
    verbose_name = "登记 Registry"

    def ready(self):
        from .dataset import register_sheets  # the registry's import/export sheets (core/dataset/)

        register_sheets()
        register_pickers()


def register_pickers() -> None:
    """The registry's rows as form pickers (core/pickers.py): code, name and where it is."""
    from jifang.core import pickers

    from . import models as m

    pickers.register("unit", m.Unit, code="credit_code", place="address", search=("name", "address"),
                     exact=("credit_code",))
    pickers.register("firm", m.Firm, code="credit_code", place="address", search=("name", "address"),
                     exact=("credit_code",))
    pickers.register("site", m.Site, code="code", place="address", search=("name", "address", "unit__name"),
                     exact=("code",), related=("unit",))
    pickers.register("system", m.SecuritySystem, code="code", place="site__name", search=("name", "site__name"),
                     exact=("code",), related=("site",))
    pickers.register("part", m.SitePart, code="site__code", place="site__name",
                     search=("name", "site__name"), exact=("site__code",), related=("site",),
                     within={"system": "site__systems"})
    pickers.register("product", m.Product, code="brand", name="model", place="standards",
                     search=("brand", "model"))
