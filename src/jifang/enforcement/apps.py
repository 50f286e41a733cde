from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "jifang.enforcement"
    label = "enforcement"
    verbose_name = "监督执法 Enforcement"

    def ready(self):
        from jifang.core import guards as core_guards
        from jifang.dashboards.panels import HomePanel, register

        from . import guards, selectors

        core_guards.register(guards.enforcement_guards)
        register(HomePanel(key="enforcement", template="enforcement/_home_panel.html", context=selectors.home_figures,
                           order=30))
