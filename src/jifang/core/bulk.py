"""Bulk inserts with one statement compiled per batch, for the paths that write tens of thousands
of rows in one go (the dataset import, the audit rows, a scan's new findings).

`QuerySet.bulk_create` compiles every value of every row through the ORM (a field lookup,
`pre_save`, `get_db_prep_save` and an SQL fragment per cell), which costs more than the database's
own work at 100,000 rows. Here the statement is built once per batch size: a multi-row
`INSERT ... VALUES (...), (...)` on SQLite (within its parameter limit), `INSERT ... SELECT * FROM
UNNEST(%b::type[], ...)` with one array per column, bound in binary, on PostgreSQL. Values go in
as parameters; only the fields that need it (JSON, dates, times, decimals, UUIDs...) are prepared
by `field.get_db_prep_save`, plain values (text, numbers, booleans, foreign key ids) pass as they
are. The new primary keys come back with
`RETURNING`, in the rows' order (SQLite >= 3.35 and PostgreSQL).

What the caller promises: the values are already of the field's Python type (a cleaned model
object's attributes, or values parsed like them); nothing here validates. Columns the caller does
not give get what a new model object would hold (the field's default, "" or None), `auto_now` and
`auto_now_add` ones the time of the call.

    pks = insert_rows(Model, ["name", "system_id"], [("a", 1), ("b", 2)])
    insert_rows(Model, names, rows, constants={"run_id": run.pk}, returning=False)
    insert_objects(Model, objs)   # sets obj.pk, like bulk_create
"""
from __future__ import annotations

import contextlib
import functools
import operator
from collections.abc import Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

# Internal types whose Python values the database adapter cannot take as they are (or takes
# differently from Django: aware times on SQLite, JSON on both backends).
PREPARED_TYPES = frozenset({
    "JSONField", "DateField", "DateTimeField", "TimeField", "DecimalField", "DurationField", "UUIDField",
    "BinaryField", "GenericIPAddressField",
})
# PostgreSQL's bind message holds at most 65,535 parameters; psycopg's client-side binding has no
# limit of its own (max_query_params None) but the same bound keeps statements a sensible size.
PG_MAX_PARAMS = 65_535
MAX_ROWS = 2000  # rows per statement at most


def _needs_prep(field: models.Field) -> bool:
    return field.get_internal_type() in PREPARED_TYPES


def _auto_now(field: models.Field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def rows_per_statement(connection, columns: int) -> int:
    limit = connection.features.max_query_params or PG_MAX_PARAMS
    return max(1, min(MAX_ROWS, limit // max(1, columns)))


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence], *,
                constants: dict | None = None, json_text: Iterable[str] = (), returning: bool = True,
                using: str = DEFAULT_DB_ALIAS) -> list[int] | None:
    """Insert `rows` (sequences of values in the order of `names`: field names or attnames) into
    `model`'s table. `constants` are the same for every row (prepared once). The columns named in
    `json_text` take JSON already encoded as text (or None for SQL NULL), stored as given (cast to
    the column's type on PostgreSQL: jsonb, or text for core.models.HashedJSONField, which keeps
    the spelling): a caller that hashed that text stores exactly what it hashed.
    Returns the new primary keys in the rows' order (None with `returning=False`)."""
    connection = connections[using]
    opts = model._meta
    constants = dict(constants or {})
    fields = [opts.get_field(n) for n in names]
    given = {f.name for f in fields} | {opts.get_field(n).name for n in constants}
    now = None
    for f in opts.concrete_fields:
        if f.name in given or (f.primary_key and isinstance(f, AutoFieldMixin)):
            continue
        if _auto_now(f):
            now = now or timezone.now()
            constants[f.attname] = now
        else:
            constants[f.attname] = f.get_default()  # what Model() would hold: the default, "" or None
    const_fields = [opts.get_field(n) for n in constants]
    const_values = [f.get_db_prep_save(v, connection) if _needs_prep(f) else v
                    for f, v in zip(const_fields, constants.values(), strict=True)]
    raw = {opts.get_field(n).name for n in json_text}
    prep = [(i, f) for i, f in enumerate(fields) if _needs_prep(f) and f.name not in raw]
    all_fields = fields + const_fields
    pk = opts.pk
    if returning and pk in all_fields:
        raise ValueError("insert_rows returns new keys: do not give the primary key")
    if returning and not isinstance(pk, AutoFieldMixin):
        raise ValueError(f"{opts.label}: only auto-increment primary keys can be returned")
    for f in all_fields:
        if isinstance(f, models.FileField):
            raise ValueError(f"{opts.label}.{f.name}: file fields need their own pre_save")

    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(f.column) for f in all_fields)}) "
    tail = f" RETURNING {quote(pk.column)}" if returning else ""
    if connection.vendor == "postgresql":
        # One array per column (as Django's own bulk_create does on PostgreSQL): the statement is
        # short, so psycopg converts it once, and the server plans a handful of parameters.
        types = [f.db_type(connection).split("(")[0] for f in all_fields]
        mark = "%b" if _binary(connection) else "%s"
        sql = head + "SELECT * FROM UNNEST(" + ", ".join(f"({mark})::{t}[]" for t in types) + ")" + tail
        per = MAX_ROWS

        def plan(batch: list) -> tuple[str, list]:
            return sql, [list(column) for column in zip(*batch, strict=True)] + [[v] * len(batch) for v in const_values]
    else:
        one_row = "(" + ", ".join(["%s"] * len(all_fields)) + ")"
        per = rows_per_statement(connection, len(all_fields))
        statement = functools.cache(lambda n: head + "VALUES " + ", ".join([one_row] * n) + tail)

        def plan(batch: list) -> tuple[str, list]:
            params = []
            for row in batch:
                params.extend(row)
                params.extend(const_values)
            return statement(len(batch)), params

    pks: list[int] = []
    rows = rows if isinstance(rows, list) else list(rows)
    with _cursor(connection) as cursor:
        for start in range(0, len(rows), per):
            batch = rows[start:start + per]
            if prep:
                batch = [_prepared(row, prep, connection) for row in batch]
            cursor.execute(*plan(batch))
            if returning:
                # One statement's keys grow in the order of its rows on both backends (a sequence
                # or AUTOINCREMENT); neither promises RETURNING's order, so sort.
                pks.extend(sorted(r[0] for r in cursor.fetchall()))
    return pks if returning else None


def _binary(connection) -> bool:
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


@contextlib.contextmanager
def _cursor(connection):
    """Django's cursor; on PostgreSQL (psycopg 3) a server-side binding cursor of psycopg's own on
    the same connection, so in the same transaction: Django's binds on the client, quoting every
    array element in Python, where this one sends the arrays in binary. It is wrapped as Django
    wraps its own (errors, execute wrappers, the query log of tests and DEBUG)."""
    if not (connection.vendor == "postgresql" and _binary(connection)):
        with connection.cursor() as cursor:
            yield cursor
        return
    import psycopg

    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    with connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw) as cursor:
        yield cursor


def _prepared(row: Sequence, prep: list[tuple[int, models.Field]], connection) -> list:
    row = list(row)
    for i, f in prep:
        if row[i] is not None:
            row[i] = f.get_db_prep_save(row[i], connection)
    return row


@functools.cache
def _object_columns(model: type[models.Model]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The attnames insert_objects takes from the objects (all concrete fields but an auto pk and
    the auto_now ones) and the auto_now ones."""
    stamps = tuple(f.attname for f in model._meta.concrete_fields if _auto_now(f))
    names = tuple(f.attname for f in model._meta.concrete_fields
                  if not (f.primary_key and isinstance(f, AutoFieldMixin)) and f.attname not in stamps)
    return names, stamps


def values_getter(names: tuple[str, ...]):
    """obj -> the tuple of its values for `names` (attrgetter gives a bare value for one name)."""
    if len(names) > 1:
        return operator.attrgetter(*names)
    return lambda obj: tuple(getattr(obj, n) for n in names)


def insert_objects(model: type[models.Model], objs: Sequence[models.Model], *,
                   using: str = DEFAULT_DB_ALIAS) -> list[models.Model]:
    """bulk_create for unsaved objects of `model` with an auto-increment pk: one compiled statement
    per batch; sets each object's pk and its auto_now/auto_now_add times, as bulk_create does."""
    if not objs:
        return list(objs)
    names, stamps = _object_columns(model)
    now = timezone.now()
    for obj in objs:
        if obj.pk is not None:
            raise ValueError(f"{model._meta.label}: insert_objects takes new objects only (pk {obj.pk})")
        for name in stamps:
            setattr(obj, name, now)
    rows = list(map(values_getter(names), objs))
    # the times are the same for every row: prepared once, as constants
    pks = insert_rows(model, names, rows, constants=dict.fromkeys(stamps, now), using=using)
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
    return list(objs)
