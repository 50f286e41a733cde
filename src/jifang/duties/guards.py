"""The triggers that keep the units' registers as they were written (core.guards).

Every entry of a register (art_18, art_20, art_21) and of the footage usage register is evidence:
UPDATE and DELETE are refused; a correction is a new entry naming the old one. A report of a
suspicious situation takes one later act, the district police's acknowledgement: its three
columns may be filled once, and nothing else of the row may change."""
from jifang.core.guards import Guard, append_only, changed

from . import models as m

ACKNOWLEDGEMENT = ("acknowledged_by_id", "acknowledged_at", "acknowledgement")


def duties_guards(vendor: str) -> list[Guard]:
    report = m.SuspicionReport._meta.db_table
    reported = [f.column for f in m.SuspicionReport._meta.concrete_fields if f.column not in ACKNOWLEDGEMENT]
    return [
        *(append_only(model._meta.db_table) for model in m.UNIT_REGISTERS if model is not m.SuspicionReport),
        append_only(m.FootageUse._meta.db_table),
        Guard(report, f"OLD.acknowledged_at IS NOT NULL OR ({changed(vendor, reported)})", "1 = 1", "append-only"),
    ]
