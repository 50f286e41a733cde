"""The 备案基本信息表 (order 799 art. 14) as PDF, like the other official documents (core.pdf):
A4, the embedded CJK font, reproducible bytes, and the verification code and address printed."""
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from jifang.core.pdf import render_pdf
from jifang.enforcement.documents import bureau_name

from . import services
from .models import FilingStatus, SystemFiling


@dataclass(frozen=True)
class Document:
    filename: str
    content: bytes


def _day(value) -> str:
    value = timezone.localtime(value) if hasattr(value, "tzinfo") else value
    return f"{value.year}年{value.month}月{value.day}日"


def verify_url(code: str) -> str:
    return settings.JIFANG_PUBLIC_BASE_URL.rstrip("/") + reverse("national:filing_verify", args=[code])


def filing_pdf(filing: SystemFiling) -> Document:
    """The form as filed; a filing not (yet) received says so in its heading instead of a number."""
    received = filing.status == FilingStatus.RECEIVED
    ctx = {
        "f": filing, "bureau": bureau_name(filing.district),
        "number": filing.receipt_number if received else "（尚未受理）",
        "kind": "变更备案" if filing.changes_id else "首次备案",
        "changes": filing.changes.receipt_number if filing.changes_id else "",
        "in_use_since": _day(filing.in_use_since), "submitted_on": _day(filing.submitted_on),
        "received_on": _day(filing.handled_at) if received else "",
        "kinds": "、".join(filing.device_kinds),
        "status": filing.get_status_display(), "return_reason": filing.return_reason,
        "verify_code": filing.verify_code, "verify_path": verify_url(filing.verify_code),
        "record_hash": filing.sealed_hash or services.filed_hash(filing),
    }
    title = "公共安全视频系统备案基本信息表"
    number = filing.receipt_number or f"{filing.system.code}-{filing.pk}"
    content = render_pdf("national/documents/filing.html", ctx, title=f"{title} {number}",
                         identifier=f"{ctx['record_hash']}:{number}", created=filing.handled_at or filing.created_at)
    return Document(filename=f"{title}-{number}.pdf", content=content)
