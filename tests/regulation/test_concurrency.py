"""One scan at a time: a second run waits for the first instead of failing on the open-finding
constraint (the nightly scan and an officer's scan may meet, on one node or several)."""
import threading
import time

import pytest
from django.db import connection

from jifang.regulation import services
from jifang.regulation.models import Finding, FindingStatus
from tests import factories as f

from .conftest import AS_OF


def _scan_in_thread(box: dict) -> threading.Thread:
    def work():
        try:
            box["run"] = services.scan(actor=None, as_of=AS_OF)
        except Exception as exc:  # the assertion below reports it
            box["error"] = exc
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=work)
    thread.start()
    return thread


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks: PostgreSQL only")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own way of queueing writers")
def test_on_sqlite_a_second_writer_queues_for_the_first():
    # every transaction begins IMMEDIATE, so a second scan waits for the first's write lock
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_scan_waits_while_another_holds_the_scan_lock():
    f.SystemFactory(retention_days=10)
    import psycopg

    s = connection.settings_dict
    other = psycopg.connect(host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
                            dbname=s["NAME"], autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [services.SCAN_LOCK_KEY])  # another node's scan
        box: dict = {}
        thread = _scan_in_thread(box)
        time.sleep(0.5)
        assert thread.is_alive() and "run" not in box  # waiting, not failing
        other.execute("SELECT pg_advisory_unlock(%s)", [services.SCAN_LOCK_KEY])
        thread.join(timeout=30)
    finally:
        other.close()
    assert "error" not in box and box["run"].counts["new"] == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_both_finish_and_leave_one_open_finding_per_violation():
    for _ in range(20):
        f.SystemFactory(retention_days=10)
    boxes = [{}, {}]
    threads = [_scan_in_thread(box) for box in boxes]
    for thread in threads:
        thread.join(timeout=60)
    assert [("error" in box, "run" in box) for box in boxes] == [(False, True), (False, True)]
    open_rows = Finding.objects.filter(status=FindingStatus.OPEN, rule_id="art19-retention-below-minimum")
    assert open_rows.count() == 20
    assert sorted(box["run"].counts["new"] for box in boxes) == [0, 20]
