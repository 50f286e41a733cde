from django.apps import AppConfig


class DutiesConfig(AppConfig):
    """Units' duties in operation (art_18-22, art_19 continuity): the records the law asks units to keep.

    Two of its records are shared with other apps: outages are written by the alarm receiver and the
    video gateway (and by hand), and the footage usage register serves both the Kunming order
    (art_21 point 2-3) and the national order 799 (art. 16, 21)."""

    name = "jifang.duties"
    label = "duties"
    verbose_name = "单位职责 Duties"

    def ready(self):
        from jifang.core import guards as core_guards

        from . import dataset, guards

        core_guards.register(guards.duties_guards)
        register_subjects()
        dataset.register_sheets()


def register_subjects() -> None:
    """The rule subjects of rules/duties.yaml (art_19 continuity)."""
    from jifang.regulation import subjects

    from .models import Outage

    # An outage is shown by its system's code; its identity across runs is its own id.
    subjects.register("outage", model=Outage, key="system__code", district="district_id", unit="unit_id",
                      site="site_id", firm="system__firm_id")
