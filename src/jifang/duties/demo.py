"""Demo city: the duty registers a well-kept unit has (art_20), so that the soft checks give advice
only where the seed plants it. Every system in use for over a year gets a recent maintenance record
(and an image-quality check when it records images), every site with such a system a recent training
and a drill, except one in PLANT_EVERY of each, planted as advice in the manifest. Bulk writes, no
services (core/demo.py), like the other hooks; outages and the footage register are left to the live
servers and the units."""
import datetime as dt

from jifang.registry.models import SecuritySystem, SystemStatus

from .models import (
    EmergencyKind, EmergencyRecord, ImageQualityCheck, MaintenanceKind, MaintenanceRecord, TrainingAudience,
    TrainingRecord,
)

PLANT_EVERY = 12
YEAR = 365  # the parameters' value (rules/duties.yaml: *_interval_days)


def _copies(row) -> dict:
    return {"site_id": row["site_id"], "unit_id": row["unit_id"], "district_id": row["district_id"]}


def seed(ctx) -> None:
    cutoff = ctx.today - dt.timedelta(days=YEAR)
    systems = list(SecuritySystem.objects.filter(status=SystemStatus.IN_USE, in_use_since__lte=cutoff)
                   .order_by("pk").values("pk", "code", "has_audio_video", "site_id", "site__code", "unit_id",
                                           "district_id"))
    recent = ctx.today - dt.timedelta(days=ctx.rng.randint(10, 200))
    maintenance, checks, sites = [], [], {}
    for i, row in enumerate(systems):
        sites.setdefault(row["site_id"], row)
        if ctx.rng.randrange(PLANT_EVERY) == 0:
            ctx.manifest.plant_advice("art_20__para_1__point_2", row["code"])
        else:
            maintenance.append(MaintenanceRecord(
                **_copies(row), system_id=row["pk"], number=f"WB-DEMO-{i:06d}", kind=MaintenanceKind.INSPECTION,
                performed_on=recent, performed_by="维保单位工程师", description="季度例行检查，系统运行正常。"))
        if not row["has_audio_video"]:
            continue
        if ctx.rng.randrange(PLANT_EVERY) == 0:
            ctx.manifest.plant_advice("art_20__para_1__point_3", row["code"])
        else:
            checks.append(ImageQualityCheck(
                **_copies(row), system_id=row["pk"], number=f"TX-DEMO-{i:06d}", checked_on=recent,
                checked_by="值班主管", cameras_checked=8, cameras_failing=0, findings="图像清晰，时间准确。"))
    training, drills = [], []
    for i, row in enumerate(sites.values()):
        if ctx.rng.randrange(PLANT_EVERY) == 0:
            ctx.manifest.plant_advice("art_20__para_1__point_1", row["site__code"])
        else:
            training.append(TrainingRecord(
                **_copies(row), number=f"PX-DEMO-{i:06d}", held_on=recent, audience=TrainingAudience.ALL,
                topic="技防系统操作与保密", trainer="安保部", trainees="值班人员全体", hours=2))
        if ctx.rng.randrange(PLANT_EVERY) == 0:
            ctx.manifest.plant_advice("art_20__para_1__point_4", row["site__code"])
        else:
            drills.append(EmergencyRecord(
                **_copies(row), number=f"YJ-DEMO-{i:06d}", kind=EmergencyKind.DRILL, held_on=recent,
                title="系统故障应急演练", summary="模拟录像主机断电，十分钟内恢复。"))
    for model, rows in ((MaintenanceRecord, maintenance), (ImageQualityCheck, checks), (TrainingRecord, training),
                        (EmergencyRecord, drills)):
        ctx.created(model.objects.bulk_create(rows, batch_size=2000))
