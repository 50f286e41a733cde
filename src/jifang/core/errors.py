"""The error every service raises when the law, the workflow or a permission says no."""
from django.core.exceptions import PermissionDenied, ValidationError

from .i18n import bilingual


class ServiceError(ValidationError):
    """A refused action. `clause` names the regulation clause that forbids it, where there is one."""

    def __init__(self, zh: str, en: str, *, clause: str | None = None, code: str = "refused", **values):
        self.clause = clause
        super().__init__(bilingual(zh, en, **values), code=code)


class NotPermitted(PermissionDenied):
    def __init__(self, zh: str = "无权执行此操作", en: str = "you may not do this", **values):
        self.text = bilingual(zh, en, **values)
        super().__init__(self.text)
