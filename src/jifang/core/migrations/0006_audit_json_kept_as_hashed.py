"""The audit log's before/after keep the spelling that was hashed (core.models.HashedJSONField).

Only PostgreSQL changes (jsonb -> text, one table rewrite; rows written before keep jsonb's spelling
and are spelled again by `jifang audit verify`). On SQLite the column is text already, so the table
is not rebuilt."""
import jifang.core.models
from django.db import migrations


def to_text(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE core_auditentry ALTER COLUMN "before" TYPE text USING "before"::text, '
                              'ALTER COLUMN "after" TYPE text USING "after"::text')


def to_jsonb(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE core_auditentry ALTER COLUMN "before" TYPE jsonb USING "before"::jsonb, '
                              'ALTER COLUMN "after" TYPE jsonb USING "after"::jsonb')


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_submission_tokens'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='auditentry',
                    name='after',
                    field=jifang.core.models.HashedJSONField(blank=True, null=True, verbose_name='after'),
                ),
                migrations.AlterField(
                    model_name='auditentry',
                    name='before',
                    field=jifang.core.models.HashedJSONField(blank=True, null=True, verbose_name='before'),
                ),
            ],
            database_operations=[migrations.RunPython(to_text, to_jsonb)],
        ),
    ]
