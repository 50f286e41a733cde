"""Accounts: creating users with a role and its anchor, and API tokens (issue, revoke). Audited like every change."""
from django.db import transaction
from rest_framework.authtoken.models import Token

from jifang.core import audit
from jifang.core.errors import NotPermitted, ServiceError

from jifang.core.divisions import CITY_CODE
from .models import Role, User

ANCHOR_RULES = {
    Role.CITY_OFFICER: "city",
    Role.DISTRICT_OFFICER: "district",
    Role.DEPARTMENT_OFFICER: "division",
    Role.UNIT_USER: "units",
    Role.FIRM_USER: "firm",
    Role.ADMIN: None,
}


def _check_anchor(role, division_id, units, firm) -> None:
    rule = ANCHOR_RULES.get(role, "invalid")
    if rule == "invalid":
        raise ServiceError("未知角色：{r}", "unknown role: {r}", r=role)
    if rule == "city" and division_id != CITY_CODE:
        raise ServiceError("市局民警的辖区应为530100", "a city officer's jurisdiction is 530100")
    if rule == "district" and (not division_id or division_id == CITY_CODE):
        raise ServiceError("分局民警须指定一个区县", "a district officer needs one district")
    if rule == "division" and not division_id:
        raise ServiceError("其他部门人员须指定辖区", "a department officer needs a jurisdiction")
    if rule == "units" and not units:
        raise ServiceError("单位用户须关联至少一个单位", "a unit user needs at least one unit")
    if rule == "firm" and firm is None:
        raise ServiceError("企业用户须关联一个企业", "a firm user needs one firm")


@transaction.atomic
def user_create(*, actor, username: str, password: str, role: str, full_name: str = "", division_id=None,
                units=(), firm=None, **extra) -> User:
    if actor is not None and getattr(actor, "role", None) != Role.ADMIN:
        raise NotPermitted("只有平台管理员可以创建用户", "only a platform administrator may create users")
    _check_anchor(role, division_id, units, firm)
    user = User(username=username, role=role, full_name=full_name, division_id=division_id, firm=firm, **extra)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if units:
        user.units.set(units)
    after = audit.snapshot(user)
    after.pop("password", None)
    audit.record(actor=actor, action="accounts.user.create", obj=user, after=after, district=division_id or "")
    return user


@transaction.atomic
def token_issue(*, actor, user: User) -> Token:
    """A machine client's API token; issuing a new one revokes the old."""
    if actor.pk != user.pk and actor.role != Role.ADMIN:
        raise NotPermitted()
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    audit.record(actor=actor, action="accounts.token.issue", obj=user, district=user.division_id or "")
    return token


@transaction.atomic
def token_revoke(*, actor, user: User) -> None:
    """Revoke a user's API token without issuing another: machine clients using it get 401.
    The same rights as `token_issue`: the user themselves, or a platform administrator."""
    if actor.pk != user.pk and actor.role != Role.ADMIN:
        raise NotPermitted()
    deleted, _ = Token.objects.filter(user=user).delete()
    if not deleted:
        raise ServiceError("用户{u}没有API令牌，无需作废", "user {u} has no API token to revoke", u=user.username)
    audit.record(actor=actor, action="accounts.token.revoke", obj=user, district=user.division_id or "")
