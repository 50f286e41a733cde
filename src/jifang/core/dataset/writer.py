"""Import steps 4-5 for one checked sheet: objects built through the sheet's hooks and the
services' rights, then written set-based, checked in scope before and after, and audited."""
from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone

from jifang.core import audit, bulk, copies, writes
from jifang.core.i18n import bilingual
from jifang.core.scoping import anchored_q, can_write
from jifang.core.roles import POLICE_AND_ADMIN

from .base import SYSTEM, audit_actor, chunks
from .checker import SheetCheck


HISTORY_NOTE = bilingual("导入的历史记录（非本平台程序产生）", "imported history (not produced by this platform's procedures)")


def _field_values(obj, names) -> dict:
    return {n: getattr(obj, obj._meta.get_field(n).attname) for n in names}


def write_scope(actor, model) -> Q | None:
    """The set-based form of `scoping.can_write(actor, model, obj)`: a filter for the rows `actor`
    may change (None: all of them). Same rules: the police and admins, or a role the model lists
    as a writer; the row anchored to the actor's district, units or firm (read-only officers are
    in neither set)."""
    if actor is SYSTEM:
        return None
    if actor.role not in POLICE_AND_ADMIN and actor.role not in model.scope.writers:
        return Q(pk__in=[])
    return anchored_q(actor, model.scope)


class SheetWrite:
    """Build, write and audit the good rows of a checked sheet."""

    def __init__(self, check: SheetCheck):
        self.check = check
        self.actor, self.result, self.pending = check.actor, check.result, check.pending
        self.sheet, self.model = check.sheet, check.model
        self.values, self.bad = check.values, check.bad
        self.error = check.error

    def run(self) -> None:
        creates, updates = self._build(self.check.existing)
        self._note_pending()
        self.write(creates, updates)

    def _build(self, existing: dict) -> tuple[list, list]:
        prepare = self.sheet.prepare(self.actor) if self.sheet.prepare else None
        may_create = self.actor is SYSTEM or can_write(self.actor, self.model)
        creates, updates = [], []
        for number, values in self.values.items():
            if number in self.bad:
                continue
            data = {k: v for k, v in values.items() if k not in ("id", "_raw")}
            current = existing.get(values.get("id"))
            if current is None and not may_create:
                self.error(number, "", bilingual("无权新建{m}", "you may not create {m}", m=self.model._meta.model_name))
                continue
            built = self._one(number, current, data, prepare)
            if built is not None:
                (creates if current is None else updates).append(built)
        return creates, updates

    def _one(self, number, current, data, prepare):
        obj = current if current is not None else blank_factory(self.model)()
        before = audit.snapshot(current) if current is not None else None
        refusal = self._frozen(current)  # judged on the row as stored, before the file's values
        if current is not None:
            data = self._within_the_second(current, data)
        for name, value in data.items():
            _assign(obj, name, value)
        try:
            changed = self._changed(before, obj, data)
            if current is not None and not changed:
                self.result.unchanged[self.sheet.name] = self.result.unchanged.get(self.sheet.name, 0) + 1
                return None
            if refusal is not None:
                raise refusal
            # core/writes.py: who may write each field; administrators and the console may load
            # procedure facts as an older registry's history (audited as such in write())
            writes.refuse(self.actor, self.model, _field_values(obj, changed), creating=current is None,
                          history=True)
            copies.fill(obj)
            if prepare:
                prepare(obj)
            obj.clean()
        except PermissionDenied as exc:
            self.error(number, "", getattr(exc, "text", str(exc)))
            return None
        except ValidationError as exc:
            self.error(number, "", "; ".join(exc.messages))
            return None
        # what to save includes the columns `prepare` copied (a system's unit after a site move)
        dirty = changed if before is None else self._changed(before, obj, data)
        return number, obj, before, dirty

    def _within_the_second(self, current, data: dict) -> dict:
        """A file carries times to the second (Excel holds less than a microsecond's precision);
        a stored time read back a fraction of a second off is the same time, not a change."""
        same = {}
        for name in self._datetime_keys & data.keys():
            stored, given = getattr(current, name), data[name]
            if stored is not None and given is not None and abs(stored - given) < dt.timedelta(seconds=1):
                same[name] = stored
        return {**data, **same} if same else data

    @functools.cached_property
    def _datetime_keys(self) -> set[str]:
        return {c.key for c in self.sheet.columns if c.kind == "datetime"}

    def _frozen(self, current) -> ValidationError | None:
        if current is None or self.sheet.frozen is None:
            return None
        try:
            self.sheet.frozen(current)
        except ValidationError as exc:
            return exc
        return None

    def _changed(self, before, obj, data) -> set[str]:
        if before is None:
            return {k for k, v in data.items() if v not in (None, "", False)}
        after = audit.snapshot(obj)
        return {f.name for f in self.model._meta.concrete_fields if before[f.attname] != after[f.attname]}

    def _note_pending(self) -> None:
        """Natural keys of this sheet's bad rows: later sheets that refer to them stay quiet."""
        names = self.sheet.natural_key
        keys = self.pending.setdefault(self.model, set())
        for number in self.bad:
            values = self.values.get(number, {})
            raw = values.get("_raw", {})
            key = tuple(self._pending_part(values, raw, n) for n in names)
            keys.add(key)

    def _pending_part(self, values, raw, name):
        value = values.get(name, raw.get(name))
        return value.pk if isinstance(value, models.Model) else value

    # 5. writes, rights after the change, audit
    def write(self, creates, updates) -> None:
        # The good rows are written even when the file has bad ones (the transaction is rolled
        # back at the end): later sheets then resolve references to them, and report only their
        # own faults.
        self._check_in_scope(updates)  # the rows as they are now: may the actor change them?
        try:
            with transaction.atomic():
                created, fields = self._save(creates, updates)
        except IntegrityError as exc:
            self.error(0, "", bilingual("数据库拒绝写入：{e}", "the database refused the rows: {e}", e=exc))
            return
        if updates:  # rows copying from the updated ones follow them (core.copies)
            copies.follow_rows(self.model, [o.pk for _, o, _, _ in updates])
        if self.sheet.after_write and updates:
            self.sheet.after_write(self.actor, [o for _, o, _, _ in updates], set(fields))
        self._check_in_scope(creates + updates)  # and as they are now written
        label = self.model._meta.label_lower
        audit.record_many(actor=audit_actor(self.actor), action=f"{label}.create", objects=created, note="import")
        audit.record_updates(actor=audit_actor(self.actor), action=f"{label}.update",
                             pairs=[(o, before) for _, o, before, _ in updates], note="import")
        history = [o for _, o, before, dirty in creates + updates
                   if writes.history_fields(self.model, _field_values(o, dirty), creating=before is None)]
        audit.record_many(actor=audit_actor(self.actor), action=f"{label}.history", objects=history,
                          note=HISTORY_NOTE)
        self._count(created, updates)

    def _save(self, creates, updates) -> tuple[list, list[str]]:
        # one compiled multi-row INSERT per batch (bulk_create compiles every value: core/bulk.py)
        created = bulk.insert_objects(self.model, [o for _, o, _, _ in creates])
        fields = sorted({f for *_, changed in updates for f in changed} - {"id", "created_at", "updated_at"})
        if fields:
            now = timezone.now()
            for _, obj, _, _ in updates:
                obj.updated_at = now  # bulk_update does not run auto_now
            self.model._default_manager.bulk_update([o for _, o, _, _ in updates], [*fields, "updated_at"],
                                                    batch_size=1000)
        return created, fields

    def _count(self, created, updates) -> None:
        if created:
            self.result.created[self.sheet.name] = len(created)
        if updates:
            self.result.updated[self.sheet.name] = len(updates)

    def _check_in_scope(self, written) -> None:
        q = write_scope(self.actor, self.model)
        if q is None or not written:
            return
        by_pk = {obj.pk: number for number, obj, _, _ in written}
        inside = set()
        for chunk in chunks(list(by_pk)):
            inside.update(self.model._default_manager.filter(q, pk__in=chunk).values_list("pk", flat=True))
        for pk, number in by_pk.items():
            if pk not in inside:
                self.error(number, "", bilingual("不能在您的辖区或单位之外登记或修改",
                                                 "you may not register or change rows outside your area or units"))


@functools.cache
def blank_factory(model) -> Callable[[], models.Model]:
    """`model()` for 100,000 rows: the defaults are computed once and passed positionally (Django
    then skips its per-field default lookup); callable defaults are still called per object."""
    fields = model._meta.concrete_fields
    fixed = tuple(f.get_default() for f in fields)
    calls = [(i, f.get_default) for i, f in enumerate(fields) if f.has_default() and callable(f.default)]
    if not calls:
        return lambda: model(*fixed)

    def new():
        args = list(fixed)
        for i, default in calls:
            args[i] = default()
        return model(*args)

    return new


def _assign(obj, name: str, value) -> None:
    """Set a field; a foreign key given by its value (a division code) goes to its attname."""
    setattr(obj, name if isinstance(value, models.Model) else _attnames(type(obj))[name], value)


@functools.cache
def _attnames(model) -> dict[str, str]:
    return {f.name: f.attname for f in model._meta.concrete_fields}


