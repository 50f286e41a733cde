"""Who acts when a command runs at the console (`--as USERNAME`)."""
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from jifang.core.i18n import bilingual


def user_named(username: str):
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(bilingual("没有此有效用户：{u}", "no active user named {u}", u=username))
    return user


def actor_for(username: str | None):
    """The acting user of `jifang import/export --as USERNAME`; without it, the system."""
    from jifang.core.dataset import SYSTEM

    return user_named(username) if username else SYSTEM
