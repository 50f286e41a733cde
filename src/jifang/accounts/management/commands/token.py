"""`jifang token issue|revoke USERNAME [--as ADMIN]`: a machine client's API token.

`issue` prints a new token and revokes the user's previous one; `revoke` revokes the token and
issues none (a user without a token is refused). Without --as the user is taken to act on their own
token (the operator at the console acts for them); the audit log records who did it."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jifang.accounts.services import token_issue, token_revoke
from jifang.core.i18n import bilingual
from jifang.core.management.actors import user_named


class Command(BaseCommand):
    help = (
        "Issue an API token for a user (revokes the old one), or revoke it / "
        "为用户签发API令牌（旧令牌作废），或作废令牌"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["issue", "revoke"])
        parser.add_argument("username")
        parser.add_argument("--as", dest="as_user", help="the administrator acting (default: the user)")

    def handle(self, *args, **options):
        user = user_named(options["username"])
        actor = user_named(options["as_user"]) if options["as_user"] else user
        try:
            if options["action"] == "revoke":
                token_revoke(actor=actor, user=user)
            else:
                token = token_issue(actor=actor, user=user)
        except PermissionDenied as exc:
            raise CommandError(str(getattr(exc, "text", exc))) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if options["action"] == "revoke":
            self.stdout.write(bilingual("已作废{u}的API令牌", "revoked the API token of {u}", u=user.username))
        else:
            self.stdout.write(token.key)
