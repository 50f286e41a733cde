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
        core_guards.register(camera_guards)
        register_subjects()
        dataset.register_sheets()


def register_subjects() -> None:
    """The rule subjects of rules/duties.yaml (art_19 continuity)."""
    from jifang.regulation import subjects

    from .models import Outage

    # An outage is shown by its system's code; its identity across runs is its own id.
    subjects.register("outage", model=Outage, key="system__code", district="district_id", unit="unit_id",
                      site="site_id", firm="system__firm_id")
    register_duty_subjects()


def camera_guards(vendor: str):
    """Camera position records are evidence like the registers: never changed, never deleted."""
    from jifang.core.guards import append_only

    from .camera import CameraRecord

    return [append_only(CameraRecord._meta.db_table)]


def register_duty_subjects() -> None:
    """The subjects and records of the art_20-22 rules: a camera's baseline (shown by the camera's
    serial), the footage usage register and its site's watch roster, and the site's training and
    emergency registers, whose entries point at the site without a reverse relation."""
    from jifang.registry.models import Site
    from jifang.regulation import subjects

    from .camera import CameraBaseline
    from .models import EmergencyRecord, FootageUse, TrainingRecord, WatchRoster

    subjects.register("camera", model=CameraBaseline, key="device__serial", district="district_id",
                      unit="unit_id", site="site_id")
    subjects.register("footage_use", model=FootageUse, key="system__code", district="district_id",
                      unit="unit_id", site="site_id")
    subjects.register_records(Site, "training_records", records=TrainingRecord, via="site_id")
    subjects.register_records(Site, "emergency_records", records=EmergencyRecord, via="site_id")
    # A register entry and the watch roster of its site (art_21 point 1: only people on it may handle
    # the recordings): matched on the site both name, not on the entry's own id.
    subjects.register_records(FootageUse, "site_rosters", records=WatchRoster, via="site_id", on="site_id")
