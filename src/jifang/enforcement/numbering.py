"""Document numbers per district, year and kind, the way a bureau writes them:
昆公五技防检字〔2026〕第0001号 (五 = 五华区, 检 = inspection record)."""
from django.db import transaction

from jifang.core.divisions import CITY_CODE
from jifang.accounts.models import Division

from .models import DocumentCounter, DocumentKind

LETTER = {
    DocumentKind.INSPECTION: "检",
    DocumentKind.ORDER: "改",
    DocumentKind.NOTICE: "告",
    DocumentKind.DECISION: "罚",
}


def district_short(division: Division) -> str:
    """The one-character bureau abbreviation (五华区 -> 五); the city bureau is 市."""
    return "市" if division.code == CITY_CODE else division.name[0]


@transaction.atomic
def next_number(*, district: Division, kind: str, year: int) -> str:
    DocumentCounter.objects.get_or_create(district=district, year=year, kind=kind)
    counter = DocumentCounter.objects.select_for_update().get(district=district, year=year, kind=kind)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"昆公{district_short(district)}技防{LETTER[kind]}字〔{year}〕第{counter.last:04d}号"
