"""Repeat scans no longer rewrite every open finding: the stored date becomes the recorded
sighting, and each run leaves one watermark per rule and area (see models.last_seen_expression). Existing rows
carry over as they are: the run that last saw a finding and its date are exactly where its chain of
sightings starts."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('regulation', '0003_finding_last_run_unindexed'),
    ]

    operations = [
        migrations.RenameField(model_name='finding', old_name='last_seen', new_name='last_seen_recorded'),
        migrations.AlterField(
            model_name='finding',
            name='last_seen_recorded',
            field=models.DateField(verbose_name='last seen (recorded)'),
        ),
        migrations.RenameField(model_name='finding', old_name='last_run', new_name='seen_from_run'),
        migrations.CreateModel(
            name='RuleWatermark',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('pack_id', models.CharField(max_length=64, verbose_name='rule pack')),
                ('rule_id', models.CharField(max_length=64, verbose_name='rule')),
                ('district', models.CharField(blank=True, help_text='empty: not a district run', max_length=6, verbose_name='district')),
                ('site_id', models.BigIntegerField(default=0, help_text='0: not a one-site run', verbose_name='site')),
                ('as_of', models.DateField(verbose_name='as of')),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='regulation.scanrun')),
            ],
            options={
                'verbose_name': 'rule watermark',
                'verbose_name_plural': 'rule watermarks',
                'constraints': [models.UniqueConstraint(fields=('pack_id', 'rule_id', 'district', 'site_id'), name='rule_watermark_area_unique')],
            },
        ),
    ]
