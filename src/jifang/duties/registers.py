"""One declaration per register the unit keeps (art_18, art_20, art_21): its model, its service,
the fields a unit fills in, the list's columns and the import sheet's headers. The forms, filters,
pages, API and import sheets of the registers are all made from these declarations, so the eight
registers have one shape."""
from dataclasses import dataclass

from . import models as m
from . import services


@dataclass(frozen=True)
class Register:
    model: type
    path: str                       # the URL segment: /duties/<path>/
    service: object                 # services.<register>_record(actor=, ...)
    fields: tuple[str, ...]         # what the unit fills in (plus number, evidence, corrects)
    columns: tuple[str, ...]        # the list page's columns
    headers: dict                   # import sheet: field -> Chinese header (number first: the key)
    sheet: str                      # import sheet name (JSON key) and title
    sheet_title: str
    choice_filters: tuple[str, ...] = ()

    @property
    def by_system(self) -> bool:
        """A system's record: the site is the system's (not chosen)."""
        return "system" in self.fields

    @property
    def name(self) -> str:
        return self.model._meta.model_name


ENTRY = {"number": "登记编号"}
SITE = {"site": "场所编码"}
SYSTEM = {"system": "系统编码"}
CORRECTS = {"corrects": "更正的登记编号"}

REGISTERS = (
    Register(
        m.MaintenanceRecord, "maintenance", services.maintenance_record,
        ("system", "kind", "performed_on", "performed_by", "description", "fault", "fault_noticed_on", "fixed_on"),
        ("number", "performed_on", "kind", "system", "performed_by", "fixed_on", "site"),
        {**ENTRY, **SYSTEM, "kind": "工作类别", "performed_on": "日期", "performed_by": "实施人员或单位",
         "description": "工作内容", "fault": "故障情况", "fault_noticed_on": "故障发现日期", "fixed_on": "故障排除日期",
         **CORRECTS},
        "maintenance_records", "维护保养与故障", ("kind",)),
    Register(
        m.TrainingRecord, "training", services.training_record,
        ("site", "held_on", "audience", "topic", "trainer", "trainees", "hours"),
        ("number", "held_on", "audience", "topic", "trainer", "site"),
        {**ENTRY, **SITE, "held_on": "培训日期", "audience": "培训对象", "topic": "培训内容", "trainer": "授课人",
         "trainees": "参训人员", "hours": "学时", **CORRECTS},
        "training_records", "岗位培训", ("audience",)),
    Register(
        m.ImageQualityCheck, "image-checks", services.image_check_record,
        ("system", "checked_on", "checked_by", "cameras_checked", "cameras_failing", "findings", "remedy"),
        ("number", "checked_on", "system", "checked_by", "cameras_checked", "cameras_failing", "site"),
        {**ENTRY, **SYSTEM, "checked_on": "检查日期", "checked_by": "检查人", "cameras_checked": "检查摄像机数",
         "cameras_failing": "不合格数", "findings": "检查情况", "remedy": "处理措施", **CORRECTS},
        "image_checks", "图像质量检查"),
    Register(
        m.EmergencyRecord, "emergency", services.emergency_record,
        ("site", "kind", "held_on", "title", "participants", "summary"),
        ("number", "held_on", "kind", "title", "site"),
        {**ENTRY, **SITE, "kind": "类别", "held_on": "日期", "title": "名称", "participants": "参加人员",
         "summary": "内容摘要", **CORRECTS},
        "emergency_records", "应急预案与演练", ("kind",)),
    Register(
        m.WatchRoster, "rosters", services.roster_record,
        ("site", "person_name", "post", "on_from", "on_to"),
        ("number", "person_name", "post", "on_from", "on_to", "site"),
        {**ENTRY, **SITE, "person_name": "值班人员", "post": "岗位", "on_from": "值班开始", "on_to": "值班结束",
         **CORRECTS},
        "watch_rosters", "值班排班"),
    Register(
        m.WatchLog, "watch-logs", services.watch_log_record,
        ("site", "person_name", "watch_from", "watch_to", "observations", "incidents"),
        ("number", "watch_from", "watch_to", "person_name", "site"),
        {**ENTRY, **SITE, "person_name": "值班人员", "watch_from": "值班开始", "watch_to": "值班结束",
         "observations": "监看情况", "incidents": "异常情况及处置", **CORRECTS},
        "watch_logs", "值班监看记录"),
    Register(
        m.ClearedPerson, "cleared-staff", services.cleared_person_record,
        ("site", "person_name", "role", "cleared_on", "agreement_signed_on", "drawings", "left_on"),
        ("number", "person_name", "role", "cleared_on", "agreement_signed_on", "left_on", "site"),
        {**ENTRY, **SITE, "person_name": "姓名", "role": "职责", "cleared_on": "登记日期",
         "agreement_signed_on": "保密协议签订日期", "drawings": "保管的图纸资料", "left_on": "不再知密日期", **CORRECTS},
        "cleared_staff", "知密人员"),
    Register(
        m.SuspicionReport, "suspicion-reports", services.suspicion_report_record,
        ("site", "noticed_at", "reported_at", "reported_to", "reported_by", "description"),
        ("number", "reported_at", "reported_to", "reported_by", "acknowledged_at", "site"),
        {**ENTRY, **SITE, "noticed_at": "发现时间", "reported_at": "报告时间", "reported_to": "报告对象（公安机关）",
         "reported_by": "报告人", "description": "可疑情况", **CORRECTS},
        "suspicion_reports", "可疑情况报告"),
)
BY_NAME = {r.name: r for r in REGISTERS}
