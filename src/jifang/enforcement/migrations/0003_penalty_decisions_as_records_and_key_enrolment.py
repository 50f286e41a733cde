"""A penalty decision becomes a sealed record of its own (PenaltyDecision), and officer keys are
enrolled by the platform key.

Existing decisions are carried over: each decided case gets its PenaltyDecision with the decision's
number, hash, verification code, officer and times, and the decision's facts (which the old
decide step wrote over the notice's); the notice's own facts are restored from the notice's audit
row (`enforcement.penalty.notice`, whose `after` is the notice's sealed content), so both seals hold
again. The decision's signatures move to the new record. Keys that exist are enrolled now: the
database is trusted as it stands at the upgrade (run `jifang audit verify` before upgrading); their
private keys move to core.secrets (the one mechanism for secrets at rest) before the guards make
the key rows append-only.
"""

import django.db.models.deletion
import jifang.enforcement.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_divisions'),
        ('enforcement', '0002_alter_inspection_kind_and_more'),
        ('registry', '0003_device_copied_columns_unindexed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

def _old_fernet():
    """How officer keys were encrypted before core.secrets."""
    import base64

    from cryptography.fernet import Fernet
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    from django.conf import settings

    secret = (settings.JIFANG_SIGNING_SECRET or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"jifang-enforcement",
               info=b"officer signing keys").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def carry_over(apps, schema_editor):
    from django.utils import timezone

    from jifang.core import audit, platform_key, secrets
    from jifang.enforcement.signing import KEY_PURPOSE, enrolment_text

    Case = apps.get_model("enforcement", "PenaltyCase")
    Decision = apps.get_model("enforcement", "PenaltyDecision")
    Signature = apps.get_model("enforcement", "Signature")
    AuditEntry = apps.get_model("core", "AuditEntry")
    OfficerKey = apps.get_model("enforcement", "OfficerKey")
    for case in Case.objects.exclude(decision_number=None).order_by("id"):
        decision = Decision.objects.create(
            case=case, number=case.decision_number, district_id=case.district_id, unit_id=case.unit_id,
            sealed_hash=case.decision_hash, verify_code=case.decision_verify_code, created_by_id=case.decided_by_id,
            facts=case.facts, statement=case.statement, statement_waived=case.statement_waived,
            decided_at=case.decided_at, served_at=case.decision_served_at or case.decided_at)
        Decision.objects.filter(pk=decision.pk).update(created_at=case.decided_at)
        Signature.objects.filter(record_type="enforcement.penaltydecision", record_id=case.pk).update(
            record_id=decision.pk)
        notice = AuditEntry.objects.filter(action="enforcement.penalty.notice", object_type="enforcement.penaltycase",
                                           object_id=str(case.pk)).order_by("seq").first()
        restored = case.facts
        if notice is not None and isinstance(notice.after, dict) and "facts" in notice.after:
            restored = notice.after["facts"]
            Case.objects.filter(pk=case.pk).update(facts=restored)
        audit.record(actor=None, action="enforcement.penalty.decision_carried_over", obj=case,
                     district=case.district_id, before={"facts": case.facts},
                     after={"facts": restored, "decision": decision.pk},
                     note="the decision became its own sealed record; the notice's facts restored from its audit row")
    for key in OfficerKey.objects.filter(enrolment_signature=""):
        raw = _old_fernet().decrypt(key.private_key_encrypted.encode())
        key.private_key_encrypted = secrets.encrypt(KEY_PURPOSE, raw)
        key.save(update_fields=["private_key_encrypted"])
        when = timezone.now()
        key_id, signature = platform_key.sign(enrolment_text(key.officer_id, key.public_key, when))
        OfficerKey.objects.filter(pk=key.pk).update(enrolled_at=when, enrolment_key_id=key_id,
                                                    enrolment_signature=signature)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_divisions'),
        ('core', '0004_audit_guards'),
        ('enforcement', '0002_alter_inspection_kind_and_more'),
        ('registry', '0003_device_copied_columns_unindexed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='officerkey',
            name='enrolled_at',
            field=models.DateTimeField(null=True, verbose_name='enrolled at'),
        ),
        migrations.AddField(
            model_name='officerkey',
            name='enrolment_key_id',
            field=models.CharField(blank=True, help_text='the platform key that enrolled it', max_length=16),
        ),
        migrations.AddField(
            model_name='officerkey',
            name='enrolment_signature',
            field=models.CharField(blank=True, max_length=128),
        ),
        migrations.CreateModel(
            name='PenaltyDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=64, unique=True, verbose_name='document number')),
                ('sealed_hash', models.CharField(blank=True, help_text='SHA-256 of the canonical record, fixed at the first signature', max_length=64, verbose_name='record hash')),
                ('verify_code', models.CharField(default=jifang.enforcement.models.new_verify_code, max_length=16, unique=True, verbose_name='verification code')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('facts', models.TextField(verbose_name='facts')),
                ('statement', models.TextField(blank=True, verbose_name='statement and defence')),
                ('statement_waived', models.BooleanField(default=False, verbose_name='unit waived its statement')),
                ('decided_at', models.DateTimeField(verbose_name='decided at')),
                ('served_at', models.DateTimeField(verbose_name='decision served at')),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='decision', to='enforcement.penaltycase', verbose_name='penalty case')),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.division', verbose_name='district')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='registry.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'penalty decision',
                'verbose_name_plural': 'penalty decisions',
                'ordering': ['-id'],
            },
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='penaltycase',
            name='decided_at',
        ),
        migrations.RemoveField(
            model_name='penaltycase',
            name='decided_by',
        ),
        migrations.RemoveField(
            model_name='penaltycase',
            name='decision_hash',
        ),
        migrations.RemoveField(
            model_name='penaltycase',
            name='decision_number',
        ),
        migrations.RemoveField(
            model_name='penaltycase',
            name='decision_served_at',
        ),
        migrations.RemoveField(
            model_name='penaltycase',
            name='decision_verify_code',
        ),
    ]
