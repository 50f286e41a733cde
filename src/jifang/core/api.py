"""API base classes: keyset pagination and the scoped read/write viewset every app's API uses,
and the reference field that takes an id or a natural key (credit code, site code, serial...)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.validators import BaseUniqueForValidator, UniqueTogetherValidator, UniqueValidator

from . import writes
from .errors import NotPermitted
from .i18n import bilingual
from .scoping import can_write, visible
from .services import correct_object


def as_api_error(exc):
    if isinstance(exc, NotPermitted):
        return PermissionDenied(exc.text)
    if isinstance(exc, DjangoValidationError):
        return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    return exc


class ScopedRefField(serializers.PrimaryKeyRelatedField):
    """A reference written as the id or as the target's natural key: a string for one-field keys
    (``"91530102..."`` for a unit, ``"S0000001"`` for a site), an object for compound ones
    (``{"brand": "海康威视", "model": "DS-2CD3T46"}``). Only rows the caller can see resolve; the
    rest answer "does not exist", like the 404 of a detail page. Output stays the bare id, so a
    list serialises without loading the related rows (no N+1)."""

    default_error_messages = {
        "does_not_exist": bilingual("不存在或不可见：{v}", "does not exist or is not visible: {v}", v="{pk_value}"),
        "incorrect_type": bilingual("应为编号或自然键", "expected an id or a natural key") + " ({data_type})",
    }

    def get_queryset(self):
        request = self.context.get("request")
        qs = super().get_queryset()
        return visible(request.user if request else None, qs)

    def _natural_lookup(self, data) -> dict | None:
        keys = getattr(self.queryset.model, "natural_key_fields", ())
        if isinstance(data, dict) and set(data) == set(keys):
            return {k: data[k] for k in keys}
        if isinstance(data, str) and len(keys) == 1 and not data.isdigit():
            return {keys[0]: data.strip().upper() if keys[0] == "credit_code" else data.strip()}
        return None

    def to_internal_value(self, data):
        lookup = self._natural_lookup(data)
        if lookup is None:
            return super().to_internal_value(data)
        obj = self.get_queryset().filter(**lookup).first()
        if obj is None:
            self.fail("does_not_exist", pk_value=data)
        return obj


class ScopedReads:
    """Every API read goes through `visible` (404 outside the caller's scope). Both viewsets below
    use it; tests/core/test_scope_generated.py finds every viewset built on them."""

    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.queryset.all()
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return visible(self.request.user, qs)


class ScopedReadOnlyViewSet(ScopedReads, viewsets.ReadOnlyModelViewSet):
    """Read-only endpoints (findings, signed records, acceptances); their writes are POST actions
    calling one service each."""


class ScopedModelViewSet(ScopedReads, viewsets.ModelViewSet):
    """Reads go through `visible`; writes go through the app's service functions, named by
    `create_service` / `update_service` (callables taking actor=, the object and the fields).
    Outside the caller's scope an object answers 404; a refusal by a service answers 400 with its
    bilingual message, a missing right 403."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = [DjangoFilterBackend]  # ids are bounded by the FilterSets (IdFilter)
    create_service = None
    update_service = None
    update_kwarg = "obj"
    def get_serializer(self, *args, **kwargs):
        """Uniqueness is the service's to check (full_clean, worded for the caller: a key held
        outside their scope is "registered elsewhere", core/uniqueness.py), not DRF's validators,
        which would say "already exists" of any row."""
        serializer = super().get_serializer(*args, **kwargs)
        if "data" in kwargs and not getattr(serializer, "many", False):
            for field in serializer.fields.values():
                field.validators = [v for v in field.validators if not isinstance(v, UniqueValidator)]
            serializer.validators = [v for v in serializer.validators
                                     if not isinstance(v, (UniqueTogetherValidator, BaseUniqueForValidator))]
        return serializer

    def perform_create(self, serializer):
        if not can_write(self.request.user, self.queryset.model):
            raise PermissionDenied(NotPermitted().text)
        try:
            serializer.instance = type(self).create_service(actor=self.request.user, **serializer.validated_data)
        except (NotPermitted, DjangoValidationError) as exc:
            raise as_api_error(exc) from exc

    def perform_update(self, serializer):
        try:
            serializer.instance = type(self).update_service(
                actor=self.request.user, **{self.update_kwarg: serializer.instance}, **serializer.validated_data
            )
        except (NotPermitted, DjangoValidationError) as exc:
            raise as_api_error(exc) from exc


def correction_serializer(model) -> type[serializers.ModelSerializer]:
    """The input of POST /<id>/correct/: the model's correctable fields (core/writes.py) and a reason."""
    meta = type("Meta", (), {"model": model, "fields": [*writes.correctable(model), "reason"]})
    return type(f"{model.__name__}Correction", (serializers.ModelSerializer,), {
        "Meta": meta, "serializer_related_field": ScopedRefField,
        "reason": serializers.CharField(max_length=500, write_only=True),
    })


def correct_action(model):
    """POST /<id>/correct/ {fields..., reason}: the police inside their area or an administrator
    correct facts only a procedure establishes (core.services.correct_object: audited, with the
    reason). Any other key is refused, not ignored."""
    input_class = correction_serializer(model)

    def correct(self, request, pk=None):
        obj = self.get_object()
        unknown = set(request.data) - set(input_class.Meta.fields)
        if unknown:
            raise ValidationError({k: bilingual("更正不适用于此字段", "a correction does not apply to this field")
                                   for k in sorted(unknown)})
        data = input_class(obj, data=request.data, partial=True, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "reason"}
        try:
            correct_object(actor=request.user, obj=obj, data=fields, reason=data.validated_data.get("reason", ""))
        except (NotPermitted, DjangoValidationError) as exc:
            raise as_api_error(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data)

    return extend_schema(request=input_class)(action(detail=True, methods=["post"])(correct))


def scoped_viewset(model, serializer_class, filterset_class, create_service, update_service, update_kwarg):
    """A ScopedModelViewSet declared in one line: the model, its serializer and FilterSet, and the
    service functions that create and update it (`update_kwarg` names the object argument)."""
    return type(f"{model.__name__}ViewSet", (ScopedModelViewSet,), {
        "queryset": model._default_manager.all(),
        "serializer_class": serializer_class,
        "filterset_class": filterset_class,
        "create_service": staticmethod(create_service),
        "update_service": staticmethod(update_service),
        "update_kwarg": update_kwarg,
        "__module__": serializer_class.__module__.replace(".serializers", ".views"),
        "__doc__": f"{model._meta.verbose_name_plural}: scoped list, detail, create and change.",
        **({"correct": correct_action(model)} if writes.correctable(model) else {}),
    })
