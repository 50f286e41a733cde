"""Database triggers that refuse UPDATE and DELETE of the audit log and of signed records.

They make mistakes and casual edits (a console session, a careless script, an ORM `.delete()`) fail
loudly. They are not the security boundary: someone who owns the database can drop a trigger; what
catches them is the platform key's signatures (core.platform_key), which no database write can forge.

A `Guard` names a table and two SQL conditions over OLD (and NEW for updates): when the UPDATE or
DELETE of a row is refused. Migrations install the guards of their time; `pre_migrate` lifts them and
`post_migrate` installs the current ones again, so `migrate` (an operator's act, like a schema
change) runs without them: on SQLite Django rebuilds a table to alter it (create, copy, drop,
rename), which drops its triggers and fails on the triggers of other tables that name it (a part's
guard looks up its parent's seal); on both, a data migration may carry rows over (as enforcement
0003 does). A `migrate` that fails half-way leaves them lifted: `jifang audit verify` warns of any
guard missing, and the next `migrate` puts them back.

Emptying the whole database (`jifang flush`, which test teardown uses) is not a row edit:
- PostgreSQL flushes with TRUNCATE, which row-level triggers do not see: nothing to do.
- SQLite flushes with `DELETE FROM` each table. Our `flush` command (core/management/commands/
  flush.py) lifts the guards for its own statements and puts them back: emptying every table is an
  operator's act equivalent to deleting the database file, and every row-wise UPDATE or DELETE
  stays refused.
"""
from contextlib import contextmanager
from dataclasses import dataclass

PREFIX = "jifang_guard_"


@dataclass(frozen=True)
class Guard:
    table: str
    update_refused: str           # SQL condition over OLD/NEW; "1 = 1": always
    delete_refused: str           # SQL condition over OLD
    why: str = "append-only"

    @property
    def name(self) -> str:
        return PREFIX + self.table


def append_only(table: str) -> Guard:
    return Guard(table, "1 = 1", "1 = 1", "append-only")


def changed(vendor: str, columns) -> str:
    op = "IS NOT" if vendor == "sqlite" else "IS DISTINCT FROM"
    return " OR ".join(f'NEW."{c}" {op} OLD."{c}"' for c in columns)


def sealed(vendor: str, table: str, columns, when: str = "OLD.sealed_hash <> ''") -> Guard:
    """Once `when` holds (the row, or its parent, is signed), `columns` may not change and the row
    may not be deleted; other columns (a unit's answer, a status) stay writable."""
    return Guard(table, f"({when}) AND ({changed(vendor, columns)})", when, "signed record")


def _sqlite(g: Guard) -> list[str]:
    message = f"jifang: {g.table} is {g.why}: %s refused"
    return [
        f'DROP TRIGGER IF EXISTS "{g.name}_update"',
        f'DROP TRIGGER IF EXISTS "{g.name}_delete"',
        f'CREATE TRIGGER "{g.name}_update" BEFORE UPDATE ON "{g.table}" FOR EACH ROW WHEN {g.update_refused} '
        f"BEGIN SELECT RAISE(ABORT, '{message % 'UPDATE'}'); END",
        f'CREATE TRIGGER "{g.name}_delete" BEFORE DELETE ON "{g.table}" FOR EACH ROW WHEN {g.delete_refused} '
        f"BEGIN SELECT RAISE(ABORT, '{message % 'DELETE'}'); END",
    ]


def _postgresql(g: Guard) -> list[str]:
    return [
        f'''CREATE OR REPLACE FUNCTION "{g.name}"() RETURNS trigger LANGUAGE plpgsql AS $guard$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF {g.update_refused} THEN
      RAISE EXCEPTION 'jifang: % is {g.why}: UPDATE refused', TG_TABLE_NAME USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
  END IF;
  IF {g.delete_refused} THEN
    RAISE EXCEPTION 'jifang: % is {g.why}: DELETE refused', TG_TABLE_NAME USING ERRCODE = 'P0001';
  END IF;
  RETURN OLD;
END $guard$''',
        f'DROP TRIGGER IF EXISTS jifang_guard ON "{g.table}"',
        f'CREATE TRIGGER jifang_guard BEFORE UPDATE OR DELETE ON "{g.table}" FOR EACH ROW EXECUTE FUNCTION "{g.name}"()',
    ]


def install(connection, guards) -> None:
    build = _sqlite if connection.vendor == "sqlite" else _postgresql
    with connection.cursor() as cur:
        for g in guards:
            for statement in build(g):
                cur.execute(statement)


# ---- the guards of the current code, installed again after every migrate ------------------------

_registered = []


def register(factory) -> None:
    """`factory(vendor) -> [Guard]`, called by an app's ready()."""
    _registered.append(factory)


def current(vendor: str) -> list[Guard]:
    return [g for factory in _registered for g in factory(vendor)]


def lift_for_migrate(sender=None, using="default", **kwargs) -> None:
    """pre_migrate receiver: the guards are off while the schema changes (see above)."""
    from django.db import connections

    connection = connections[using]
    if sender is not None and sender.label != "core":
        return
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [PREFIX + "%"])
            for (name,) in cur.fetchall():
                cur.execute(f'DROP TRIGGER "{name}"')
            return
        for table in installed(connection):
            cur.execute(f'DROP TRIGGER IF EXISTS jifang_guard ON "{table}"')


def missing(connection) -> list[str]:
    """Tables of the current code whose guards are not in place."""
    tables = set(connection.introspection.table_names())
    return sorted({g.table for g in current(connection.vendor) if g.table in tables} - installed(connection))


def install_current(sender=None, using="default", **kwargs) -> None:
    """post_migrate receiver (sent once per app: installs only when core's turn comes)."""
    from django.db import connections

    if sender is not None and sender.label != "core":
        return
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    install(connection, [g for g in current(connection.vendor) if g.table in tables])


def installed(connection) -> set[str]:
    """Names of the guarded tables that have their triggers now."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                        [PREFIX + "%"])
        else:
            cur.execute("SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                        "WHERE t.tgname = 'jifang_guard' AND t.tgenabled <> 'D'")
        return {r[0] for r in cur.fetchall()}


@contextmanager
def suspended(connection):
    """The guards lifted for the statements inside, then put back as they were: for `flush` on
    SQLite and for tests that play an attacker. On PostgreSQL the session stops firing triggers
    (`session_replication_role = replica`, which needs a superuser, as owning the database does)."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [PREFIX + "%"])
            saved = cur.fetchall()
            for name, _sql in saved:
                cur.execute(f'DROP TRIGGER "{name}"')
        else:
            saved = []
            cur.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            if connection.vendor != "sqlite":
                cur.execute("SET session_replication_role = DEFAULT")
            for name, sql in saved:
                cur.execute(f'DROP TRIGGER IF EXISTS "{name}"')
                cur.execute(sql)


def core_guards(vendor: str) -> list[Guard]:
    """The audit log and its checkpoints are append-only; the head only moves forward."""
    head_back = ("NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash) "
                 "OR NEW.checkpoint_number < OLD.checkpoint_number "
                 "OR (NEW.checkpoint_number = OLD.checkpoint_number AND NEW.checkpoint_digest <> OLD.checkpoint_digest)")
    return [append_only("core_auditentry"), append_only("core_auditcheckpoint"),
            Guard("core_audithead", head_back, "1 = 1", "the chain head, which only moves forward")]
