"""`jifang token issue USERNAME [--as ADMIN]`: an API token for a machine client.

Issuing revokes the user's previous token. Without --as the user is taken to issue their own
token (the operator at the console acts for them); the audit log records who issued it."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jifang.accounts.models import User
from jifang.accounts.services import token_issue
from jifang.core.i18n import bilingual


def user_named(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(bilingual("没有此有效用户：{u}", "no active user named {u}", u=username))
    return user


def actor_for(username: str | None):
    """The acting user of `jifang import/export --as USERNAME`; without it, the system."""
    from jifang.core.dataset import SYSTEM

    return user_named(username) if username else SYSTEM


class Command(BaseCommand):
    help = "Issue an API token for a user (revokes the old one) / 为用户签发API令牌（旧令牌作废）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["issue"])
        parser.add_argument("username")
        parser.add_argument("--as", dest="as_user", help="the administrator issuing it (default: the user)")

    def handle(self, *args, **options):
        user = user_named(options["username"])
        actor = user_named(options["as_user"]) if options["as_user"] else user
        try:
            token = token_issue(actor=actor, user=user)
        except (PermissionDenied, ValidationError) as exc:
            raise CommandError(str(getattr(exc, "text", exc))) from exc
        self.stdout.write(token.key)
