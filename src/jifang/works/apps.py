from django.apps import AppConfig


class WorksConfig(AppConfig):
    name = "jifang.works"
    label = "works"
    verbose_name = "技防工程 Works"

    def ready(self):
        from jifang.dashboards.panels import HomePanel, register

        from . import selectors
        from .dataset import register_sheets  # the works' import/export sheets (core/dataset/)

        register_subjects()
        register_sheets()
        register(HomePanel(key="works", template="works/_home_panel.html", context=selectors.home_figures, order=20))


def register_subjects() -> None:
    """The rule subjects of rules/works.yaml (art_8, 13 para 2, 14 para 1, 16)."""
    from jifang.regulation import subjects

    from . import models as m

    subjects.register("works", model=m.Works, key="code", district="district_id", unit="unit_id", site="site_id",
                      firm="firm_id")
    subjects.register("acceptance", model=m.Acceptance, key="code", district="district_id", unit="works__unit_id",
                      site="works__site_id", firm="works__firm_id")
    subjects.register("networking_notice", model=m.NetworkingNotice, key="number", district="district_id",
                      unit="unit_id", site="system__site_id", firm="system__firm_id")
