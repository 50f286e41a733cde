from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "jifang.dashboards"
    label = "dashboards"
    verbose_name = "统计 Dashboards"
