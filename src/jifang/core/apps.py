from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "jifang.core"
    label = "core"
    verbose_name = "核心 Core"

    def ready(self):
        from . import signals  # noqa: F401  (sign-in records)
