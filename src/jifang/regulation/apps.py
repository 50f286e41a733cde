from django.apps import AppConfig


class RegulationConfig(AppConfig):
    name = "jifang.regulation"
    label = "regulation"
    verbose_name = "法规引擎 Regulation"

    def ready(self):
        from . import subjects

        subjects.register_registry_subjects()
