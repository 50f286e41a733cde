"""API base classes: keyset pagination and the scoped read/write viewset every app's API uses."""
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError

from .errors import NotPermitted
from .scoping import can_write, visible


def as_api_error(exc):
    if isinstance(exc, NotPermitted):
        return PermissionDenied(exc.text)
    if isinstance(exc, DjangoValidationError):
        return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    return exc


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Reads go through `visible`; writes go through the app's service functions, named by
    `create_service` / `update_service` (callables taking actor=, the object and the fields)."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    create_service = None
    update_service = None
    update_kwarg = "obj"

    def get_queryset(self):
        return visible(self.request.user, self.queryset.all())

    def perform_create(self, serializer):
        if not can_write(self.request.user, self.queryset.model):
            raise PermissionDenied()
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
