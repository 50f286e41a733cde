from django.apps import AppConfig


class ExampleConfig(AppConfig):
    name = "jifang.example"
    label = "example"
    verbose_name = "示例 Example"

    def ready(self):
        # Every registration of the app, here and nowhere else (core never imports the app).
        from jifang.dashboards.panels import HomePanel, register
        from jifang.regulation import subjects

        from . import models as m
        from . import selectors

        subjects.register("example_record", model=m.ExampleRecord, key="number", district="district_id",
                          unit="unit_id", site="site_id")
        register(HomePanel(key="example", template="example/_home_panel.html", context=selectors.home_figures,
                           order=50))
