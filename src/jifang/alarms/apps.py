from django.apps import AppConfig


class AlarmsConfig(AppConfig):
    name = "jifang.alarms"
    label = "alarms"
    verbose_name = "报警中心 Alarm centre"

    def ready(self):
        from jifang.dashboards.panels import HomePanel, register

        from . import selectors

        register(HomePanel(key="alarms", template="alarms/_home_panel.html", context=selectors.home_figures, order=15))
