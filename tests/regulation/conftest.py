import datetime as dt
from pathlib import Path

import pytest

from jifang.regulation import services
from jifang.regulation.models import Finding, FindingStatus

AS_OF = dt.date(2026, 6, 1)
KUNMING = "cn-530100-order-2012-116"
NATIONAL = "cn-order-2025-799"
TEST_PACKS = Path(__file__).parent / "packs"


def open_findings(rule_id: str) -> dict[str, str]:
    """subject key -> outcome of the open findings of one rule."""
    rows = Finding.objects.filter(rule_id=rule_id, status=FindingStatus.OPEN).values_list("subject_key", "outcome")
    return dict(rows)


@pytest.fixture
def scan(db):
    """Run the engine as the system (the CLI's actor) and return the run."""
    def run(as_of=AS_OF, **area):
        return services.scan(actor=None, as_of=as_of, **area)

    return run
