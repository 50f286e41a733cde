"""The triggers that keep signed enforcement records as they were signed (core.guards).

Once a record is sealed (`sealed_hash` set at its first signature) the columns its hash covers may
not change and the row may not be deleted; nor may the rows of its parts (checklist, photos,
findings, inspectors, order items' links, the case's findings). Signatures, officer keys and fine
amounts are append-only. Columns that record later acts stay writable: an order's status and the
unit's answer, an order item's review, a case's status and statement."""
from jifang.core.guards import Guard, append_only, sealed

from . import models as m

SEALED = "OLD.sealed_hash <> ''"


def _columns(model, *, leave=()) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if f.name not in leave]


def _parent_sealed(parent: str, fk: str) -> str:
    return f"(SELECT sealed_hash FROM {parent} WHERE id = OLD.{fk}) <> ''"


def enforcement_guards(vendor: str) -> list[Guard]:
    inspection = m.Inspection._meta.db_table
    order = m.RectificationOrder._meta.db_table
    case = m.PenaltyCase._meta.db_table
    parts = [(m.ChecklistItem, inspection, "inspection_id"), (m.InspectionPhoto, inspection, "inspection_id"),
             (m.InspectionFinding, inspection, "inspection_id"),
             (m.Inspection.inspectors.through, inspection, "inspection_id"),
             (m.PenaltyCase.findings.through, case, "penaltycase_id")]
    return [
        append_only(m.Signature._meta.db_table), append_only(m.OfficerKey._meta.db_table),
        append_only(m.PenaltyAmount._meta.db_table),
        sealed(vendor, inspection, _columns(m.Inspection)),
        sealed(vendor, m.PenaltyDecision._meta.db_table, _columns(m.PenaltyDecision)),
        sealed(vendor, order, _columns(m.RectificationOrder,
                                       leave={"status", "response", "responded_by", "responded_at"})),
        sealed(vendor, case, _columns(m.PenaltyCase,
                                      leave={"status", "statement", "statement_waived", "statement_by", "statement_at"})),
        sealed(vendor, m.OrderItem._meta.db_table, ["order_id", "finding_id"], _parent_sealed(order, "order_id")),
        *(sealed(vendor, model._meta.db_table, _columns(model), _parent_sealed(parent, fk))
          for model, parent, fk in parts),
    ]
