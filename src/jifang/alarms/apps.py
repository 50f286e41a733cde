from django.apps import AppConfig


class AlarmsConfig(AppConfig):
    name = "jifang.alarms"
    label = "alarms"
    verbose_name = "报警中心 Alarm centre"
