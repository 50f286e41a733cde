"""API authentication that honours the login lockout (django-axes).

After AXES_FAILURE_LIMIT wrong passwords an account is locked for AXES_COOLOFF_TIME: the login page
refuses it. A token is a standing password, so while the account is locked its token is refused
too (401): whoever is guessing the password may hold a stolen token, and the lockout is the
moment an officer would want every door of that account shut. The lock is the account's, from
any address (the login page locks per username and address; the token is the same account's
whatever address it comes from)."""
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from jifang.core.i18n import bilingual


def is_locked_out(username: str) -> bool:
    limit = settings.AXES_FAILURE_LIMIT
    attempts = AccessAttempt.objects.filter(username=username, failures_since_start__gte=limit)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts.exists()


class LockoutAwareTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if is_locked_out(user.get_username()):
            raise AuthenticationFailed(bilingual("账户因多次登录失败已被锁定，令牌暂停使用",
                                                 "the account is locked after failed logins; its token is refused"))
        return user, token
