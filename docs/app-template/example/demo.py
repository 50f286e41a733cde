"""The app's part of the demo city: bulk rows drawn from ctx.rng, copied columns filled as the
services would, every planted violation in the manifest (tests compare a scan with it exactly)."""
from jifang.registry.models import SecuritySystem

from .models import ExampleRecord


def seed(ctx) -> None:
    systems = list(SecuritySystem.objects.filter(pk__in=list(ctx.ids["registry.SecuritySystem"][:20]))
                   .values_list("pk", "site_id", "unit_id", "district_id"))
    rows = [ExampleRecord(number=f"EX{i:06d}", system_id=pk, site_id=site, unit_id=unit, district_id=district,
                          happened_on=ctx.today) for i, (pk, site, unit, district) in enumerate(systems)]
    ctx.created(ExampleRecord.objects.bulk_create(rows))
