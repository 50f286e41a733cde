from django.apps import AppConfig


class WorksConfig(AppConfig):
    name = "jifang.works"
    label = "works"
    verbose_name = "技防工程 Works"
