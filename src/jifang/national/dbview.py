"""The database view behind national.FilingCheck: each system in use with its current filing (the
latest one submitted or received) beside the registry's facts now. The change-filing rule of the
order 799 pack reads it (one query, set-based); the SQL is the same on SQLite and PostgreSQL.

Like core.guards, it is dropped before every `migrate` and created again after it: a view over the
registry's tables would otherwise stop a later registry migration (SQLite rebuilds a table to alter
it; PostgreSQL refuses to change the type of a column a view reads).

The device subqueries read the index on registry_device (system_id, kind, status) alone; `changed`
tests the retention first, which needs no subquery."""
from django.db import connections

DEVICE = "SELECT {what} FROM registry_device d WHERE d.system_id = s.id AND d.kind = '{kind}' AND d.status <> 'removed'"


def _has(kind: str) -> str:
    return f"(CASE WHEN EXISTS ({DEVICE.format(what='1', kind=kind)}) THEN 1 ELSE 0 END)"


def _filed(flag: str) -> str:
    return f"(CASE WHEN f.{flag} THEN 1 ELSE 0 END)"


CAMERAS_NOW = f"({DEVICE.format(what='COUNT(*)', kind='camera')})"
KINDS_CHANGED = (f"({_filed('with_nvr')} <> {_has('nvr')} OR {_filed('with_dvr')} <> {_has('dvr')}"
                 f" OR {_filed('with_encoder')} <> {_has('encoder')})")
RETENTION_CHANGED = "(s.retention_days IS NOT NULL AND s.retention_days <> f.retention_days)"

CREATE = f"""
CREATE VIEW national_filing_check AS
SELECT f.id AS id, f.id AS filing_id, s.id AS system_id, s.site_id AS site_id, s.unit_id AS unit_id,
       s.district_id AS district_id, s.code AS system_code, s.name AS system_name,
       s.public_video_class AS public_video_class,
       f.receipt_number AS receipt_number, f.submitted_on AS submitted_on,
       f.camera_count AS filed_camera_count, {CAMERAS_NOW} AS camera_count_now,
       f.retention_days AS filed_retention_days, s.retention_days AS retention_days_now,
       CASE WHEN {KINDS_CHANGED} THEN 1=1 ELSE 1=0 END AS kinds_changed,
       CASE WHEN {RETENTION_CHANGED} OR f.camera_count <> {CAMERAS_NOW} OR {KINDS_CHANGED}
            THEN 1=1 ELSE 1=0 END AS changed
FROM national_systemfiling f
JOIN registry_securitysystem s ON s.id = f.system_id
WHERE s.status = 'in_use'
  AND f.id = (SELECT MAX(g.id) FROM national_systemfiling g
              WHERE g.system_id = f.system_id AND g.status IN ('submitted', 'received'))
"""


DROP = "DROP VIEW IF EXISTS national_filing_check"


def drop(sender=None, using="default", **kwargs) -> None:
    """pre_migrate receiver (once, on this app's turn)."""
    if sender is None or sender.label == "national":
        with connections[using].cursor() as cur:
            cur.execute(DROP)


def create(sender=None, using="default", **kwargs) -> None:
    """post_migrate receiver (once, on this app's turn, when the tables exist)."""
    if sender is not None and sender.label != "national":
        return
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if {"national_systemfiling", "registry_securitysystem", "registry_device"} <= tables:
        with connection.cursor() as cur:
            cur.execute(DROP)
            cur.execute(CREATE)
