from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city's commands (`jifang seed`, `jifang demo`). It sits above every other app: it
    builds the city through each app's `demo.seed(ctx)` hook (jifang.core.demo) and creates one
    account per role. It has no models."""

    name = "jifang.demo"
    label = "demo"
    verbose_name = "演示 Demo"
