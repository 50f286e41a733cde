"""The receiver's writes touch fewer indexes.

- alarms_alarmevent: restores, acknowledged_by and closed_by are empty when the receiver inserts an
  event, yet each had a full index written on every insert. They become partial indexes (IS NOT
  NULL), which an insert never writes and which serve the same look-ups ("x = ?" implies "x IS NOT
  NULL" on both backends). The old indexes are dropped by name, found by introspection: on SQLite
  AlterField would copy the whole table. The model state records db_index=False.
- alarms_alarmaccount: every message moves last_seen_at. The supervision sweep's index no longer
  holds it (the sweep reads the untroubled accounts of each interval and filters the time), so on
  PostgreSQL the update is HOT (no index entry rewritten; fillfactor 70 leaves the room in the page)
  and on SQLite it writes no index.
- PostgreSQL: the dedupe key's LIKE index (varchar_pattern_ops, made by Django for every unique
  varchar) is dropped: nothing searches a hash by prefix.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q

COLUMNS = ("restores_id", "acknowledged_by_id", "closed_by_id")


def single_column_indexes(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        found = schema_editor.connection.introspection.get_constraints(cursor, "alarms_alarmevent")
    return [name for name, c in found.items() if c["index"] and not c["unique"] and not c["primary_key"]
            and c["columns"] == [c["columns"][0]] and c["columns"][0] in COLUMNS and not name.startswith("alarms_event_")]


def drop(apps, schema_editor):
    for name in single_column_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def restore(apps, schema_editor):
    model = apps.get_model("alarms", "AlarmEvent")
    for column in COLUMNS:
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[model._meta.get_field(column[:-3])]))


def postgresql_only(apps, schema_editor):
    """Room for HOT updates of the accounts; and no LIKE index on the dedupe key (PostgreSQL's
    varchar_pattern_ops twin of a unique varchar, for LIKE queries nobody runs on a hash)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE alarms_alarmaccount SET (fillfactor = 70)")
    for name in dedupe_like_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def dedupe_like_indexes(schema_editor):
    with schema_editor.connection.cursor() as cursor:
        found = schema_editor.connection.introspection.get_constraints(cursor, "alarms_alarmevent")
    return [name for name, c in found.items() if c["index"] and c["columns"] == ["dedupe"] and name.endswith("_like")]


def postgresql_only_undone(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE alarms_alarmaccount RESET (fillfactor)")
    model = apps.get_model("alarms", "AlarmEvent")
    if not dedupe_like_indexes(schema_editor):
        schema_editor.execute(schema_editor._create_like_index_sql(model, model._meta.get_field("dedupe")))


def nullable_user(name):
    return models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                             related_name='+', to=settings.AUTH_USER_MODEL, verbose_name=name)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_divisions'),
        ('alarms', '0002_event_indexes_covered_by_composites_dropped'),
        ('registry', '0005_order799_registry_facts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name='alarmaccount', name='alarms_account_supervised'),
        migrations.AddIndex(
            model_name='alarmaccount',
            index=models.Index(condition=Q(('trouble_since__isnull', True)), fields=['supervision_seconds', 'grace_seconds'],
                               name='alarms_account_supervised_now'),
        ),
        migrations.RunPython(postgresql_only, postgresql_only_undone),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop, restore)],
            state_operations=[
                migrations.AlterField(model_name='alarmevent', name='acknowledged_by', field=nullable_user('acknowledged by')),
                migrations.AlterField(model_name='alarmevent', name='closed_by', field=nullable_user('closed by')),
                migrations.AlterField(
                    model_name='alarmevent',
                    name='restores',
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.PROTECT, related_name='restored_by',
                                            to='alarms.alarmevent', verbose_name='restores alarm'),
                ),
            ],
        ),
        *(migrations.AddIndex(model_name='alarmevent',
                              index=models.Index(condition=Q((f'{name}__isnull', False)), fields=[name],
                                                 name=f'alarms_event_{name}'))
          for name in ("restores", "acknowledged_by", "closed_by")),
    ]
