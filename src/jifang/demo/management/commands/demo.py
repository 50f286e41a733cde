"""`jifang demo [--if-empty]`: the demo city and one account per role, for `make run`.

The accounts are for trying Jifang on a laptop: they share one published password. Never run this
against a production database (docs/operations.md)."""
import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from rich.console import Console
from rich.table import Table

from jifang.accounts.models import User

from jifang.core.roles import Role
from jifang.accounts.services import user_create
from jifang.core.demo import DEFAULT_SCALE, DEFAULT_SEED, manifest_path, seed_city
from jifang.registry.models import Firm, Unit

DEMO_PASSWORD = "kunming-jifang-116"

# username, role, full name, what anchors the role ("city", a division code, "bank", "firm" or None)
ACCOUNTS = [
    ("admin", Role.ADMIN, "平台管理员", None),
    ("city", Role.CITY_OFFICER, "市公安局技防办 李建国", "530100"),
    ("wuhua", Role.DISTRICT_OFFICER, "五华分局技防科 王海燕", "530102"),
    ("panlong", Role.DISTRICT_OFFICER, "盘龙分局技防科 赵志强", "530103"),
    ("zhujian", Role.DEPARTMENT_OFFICER, "市住房和城乡建设局 陈丽华（只读）", "530100"),
    ("bank", Role.UNIT_USER, "银行安保部 杨文斌", "bank"),
    ("firm", Role.FIRM_USER, "技防企业工程部 张晓东", "firm"),
]


class Command(BaseCommand):
    help = "Load the demo city and the demo accounts / 加载演示城市和演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="do nothing to data if the registry holds units")
        parser.add_argument("--scale", type=int, default=DEFAULT_SCALE, help="sites in the demo city (default 500)")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args, if_empty, scale, seed, **options):
        console = Console(file=self.stdout, highlight=False, width=120)
        if Unit.objects.exists():
            if not if_empty:
                raise CommandError("the registry is not empty / 登记库非空 (use --if-empty)")
            console.print("登记库已有数据，跳过演示数据 (registry not empty: demo city not loaded)")
            self.accounts_for_seeded_city()
        else:
            self.load(console, scale, seed)
        self.print_accounts(console)

    @transaction.atomic
    def load(self, console, scale: int, seed: int) -> None:
        ctx = seed_city(scale=scale, seed=seed)
        self.create_accounts(bank=Unit.objects.get(credit_code=ctx.keys["bank_unit"]),
                             firm=Firm.objects.get(credit_code=ctx.keys["demo_firm"]))
        console.print(f"演示城市已生成 demo city loaded: {ctx.counts['registry.Site']:,} sites, "
                      f"{ctx.counts['registry.Device']:,} devices")
        # as a bureau's nightly scan would have: the first sign-in shows the city's findings
        from jifang.regulation.services import scan

        run = scan(actor=None, as_of=ctx.today)
        console.print(f"合规扫描 compliance scan as of {run.as_of}: {run.counts['violation']:,} violations, "
                      f"{run.counts['undetermined']:,} undetermined")

    def accounts_for_seeded_city(self) -> None:
        """A city made by `jifang seed` (e.g. for a load test) gets its accounts on the next `make run`."""
        path = manifest_path()
        keys = json.loads(path.read_text()).get("keys", {}) if path.exists() else {}
        bank = Unit.objects.filter(credit_code=keys.get("bank_unit")).first()
        firm = Firm.objects.filter(credit_code=keys.get("demo_firm")).first()
        if bank and firm:
            self.create_accounts(bank=bank, firm=firm)

    @transaction.atomic
    def create_accounts(self, *, bank: Unit, firm: Firm) -> None:
        for username, role, full_name, anchor in ACCOUNTS:
            if User.objects.filter(username=username).exists():
                continue
            user_create(actor=None, username=username, password=DEMO_PASSWORD, role=role, full_name=full_name,
                        division_id=anchor if anchor not in ("bank", "firm") else None,
                        units=[bank] if anchor == "bank" else (), firm=firm if anchor == "firm" else None,
                        is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)

    def print_accounts(self, console) -> None:
        users = {u.username: u for u in User.objects.filter(username__in=[a[0] for a in ACCOUNTS])
                 .select_related("division", "firm").prefetch_related("units")}
        table = Table(title=f"演示账号 demo accounts (password / 密码: {DEMO_PASSWORD})")
        for column in ("username", "role", "name", "scope"):
            table.add_column(column)
        for username, role, _, _ in ACCOUNTS:
            user = users.get(username)
            if user is None:
                table.add_row(username, str(role.label), "-", "(not created)")
                continue
            scope = user.division.name if user.division else (
                user.firm.name if user.firm else "、".join(u.name for u in user.units.all()) or "all")
            table.add_row(username, str(role.label), user.full_name, scope)
        console.print(table)
