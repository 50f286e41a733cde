"""`jifang explain FINDING`: the clause text, facts, parameters and penalty path of one finding."""
from django.core.management.base import BaseCommand, CommandError

from jifang.regulation.models import Finding
from jifang.regulation.selectors import explain

TARGETS = {"unit": "单位 unit", "person_in_charge": "主管责任人 person in charge",
           "person_directly_responsible": "直接责任人 person directly responsible", "individual": "个人 individual"}
MEASURES = {"confiscate_equipment": "没收相关设备设施 confiscation of the equipment",
            "delete_footage": "删除所收集的视频图像信息 deletion of the footage",
            "warning": "警告 warning",
            "refer_to_licensing_authority": "通报有关主管部门 referral to the licensing authority"}
KINDS = {"business": "经营性 business", "non_business": "非经营性 non-business", "any": "任何单位 any"}


class Command(BaseCommand):
    help = "Explain a finding: clause text, facts, parameter and its source clause, penalty path."

    def add_arguments(self, parser):
        parser.add_argument("finding", type=int, help="finding id")

    def handle(self, *args, finding, **options):
        f = Finding.objects.with_last_seen().filter(pk=finding).first()
        if f is None:
            raise CommandError(f"没有违法事实 {finding} / no finding {finding}")
        e = explain(f)
        w = self.stdout.write
        w(f"finding {f.pk}: {f.rule_id} · {f.subject_type} {f.subject_key} · {f.outcome} · {f.status}/{f.stage}")
        w(f"pack {f.pack_id} {f.pack_version} ({f.pack_checksum[:12]})" + ("  [pack changed since]" if e["pack_changed"] else ""))
        w(f.explanation_zh)
        w(f.explanation_en)
        for c in e["clauses"]:
            w(f"\n{c['label']} ({c['id']})\n  {c['text']}")
        w("\nfacts / 事实:")
        for k, v in e["facts"].items():
            w(f"  {k}: {v}")
        for p in e["parameters"]:
            w(f"parameter / 参数 {p['name']} = {p['value']} {p['unit']}  (source: {p['clause_label']} {p['clause']})")
        self._penalty(e)

    def _penalty(self, e):
        s = e["sanction"]
        w = self.stdout.write
        if not s:
            w("\npenalty / 罚则: none: this clause carries no penalty in the regulation / 本条无罚则")
            return
        w(f"\npenalty path / 处罚路径: {s['label_zh']} ({s['article']})")
        w(f"  1. {s['first_measure']} / {s.get('first_measure_en', '')}")
        for m in s.get("measures", ()):
            if m["when"] == "first":
                w(f"     + {MEASURES[m['measure']]}")
        if s.get("order_first", True):
            w("  2. only if not corrected in time / 逾期不改正的:")
        else:
            w("  2. together with the first measures (no order to correct first) / 并处:")
        for m in s.get("measures", ()):
            if m["when"] == "refused":
                w(f"     {MEASURES[m['measure']]}")
        for fine in s["fines"]:
            amount = f"<= {fine['max']}" if fine.get("up_to") else f"{fine['min']}-{fine['max']}"
            w(f"     {TARGETS[fine['target']]}, {KINDS[fine['unit_kind']]}: {amount} 元")
        if e["unit_kind_gap"]:
            w("  unit kind unknown: both ranges shown; establish whether the unit is a business unit / 单位性质未知")
        if e["penalty_text"]:
            w(f"  {e['penalty_text']}")
