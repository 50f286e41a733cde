from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "jifang.registry"
    label = "registry"
    verbose_name = "登记 Registry"

    def ready(self):
        from .dataset import register_sheets  # the registry's import/export sheets (core/dataset/)

        register_sheets()
