"""The only write path. Keyword-only, actor first; atomic; the audit row in the same transaction."""
from django.db import transaction
from django.utils import timezone

from jifang.core import audit, copies
from jifang.core.errors import NotPermitted, ServiceError
from jifang.core.roles import OFFICERS
from jifang.core.scoping import can_write

from .models import ExampleRecord


@transaction.atomic
def record_create(*, actor, system, number: str, happened_on) -> ExampleRecord:
    if not can_write(actor, ExampleRecord):
        raise NotPermitted()
    if happened_on > timezone.localdate():
        # a refusal the law gives: name the clause (shown on the page, listed by `jifang regulation coverage`)
        raise ServiceError("日期不能晚于今天", "the date cannot be in the future", clause="art_20__para_1")
    record = ExampleRecord(system=system, number=number, happened_on=happened_on, created_by=actor)
    copies.fill(record)  # site, unit, district from the system
    record.full_clean()
    record.save()
    if not can_write(actor, ExampleRecord, record):
        raise NotPermitted("不能在您的辖区或单位之外登记", "you may not register outside your area or units")
    audit.record(actor=actor, action="example.record.create", obj=record, after=audit.snapshot(record))
    return record


@transaction.atomic
def record_confirm(*, actor, record: ExampleRecord) -> ExampleRecord:
    if actor.role not in OFFICERS or not can_write(actor, ExampleRecord, record):
        raise NotPermitted()
    if record.confirmed_on:
        raise ServiceError("已确认", "already confirmed")
    before = audit.snapshot(record)
    record.confirmed_on = timezone.localdate()
    record.save(update_fields=["confirmed_on"])
    audit.record(actor=actor, action="example.record.confirm", obj=record, before=before,
                 after=audit.snapshot(record))
    return record
