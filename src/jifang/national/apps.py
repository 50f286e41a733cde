from django.apps import AppConfig


class NationalConfig(AppConfig):
    """The workflows only the national order 799 has (国务院令第799号): system filing (art. 14),
    reports from the public (art. 24 para. 2) and viewing requests (art. 21)."""

    name = "jifang.national"
    label = "national"
    verbose_name = "视频系统 Public video systems"

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from jifang.dashboards.panels import HomePanel, register

        from . import dbview, selectors

        pre_migrate.connect(dbview.drop, dispatch_uid="national-view-drop")
        post_migrate.connect(dbview.create, dispatch_uid="national-view-create")
        register_subjects()
        register(HomePanel(key="national", template="national/_home_panel.html", context=selectors.home_figures,
                           order=35))


def register_subjects() -> None:
    """Rule subjects of the order 799 pack's rules/filing.yaml."""
    from jifang.regulation import subjects

    from .models import FilingCheck

    # A system's current filing beside the registry's facts now (a database view).
    subjects.register("filing_check", model=FilingCheck, key="system_code", district="district_id",
                      unit="unit_id", site="site_id")
