from django.apps import AppConfig


class RegulationConfig(AppConfig):
    name = "jifang.regulation"
    label = "regulation"
    verbose_name = "法规引擎 Regulation"

    def ready(self):
        from jifang.core.actions import register_clause_labeller
        from jifang.dashboards.panels import HomePanel, register

        from jifang.core import audit

        from . import rechecks, selectors, subjects

        subjects.register_registry_subjects()
        register_clause_labeller(selectors.pack_clause_label)
        audit.on_append(rechecks.followed)  # findings follow every audited write (rechecks.py)
        register(HomePanel(key="findings", template="regulation/_home_panel.html", context=selectors.home_figures,
                           order=10))
