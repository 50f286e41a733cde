from django.apps import AppConfig


class EnforcementConfig(AppConfig):
    name = "jifang.enforcement"
    label = "enforcement"
    verbose_name = "监督执法 Enforcement"
