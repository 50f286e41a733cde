"""Validators for the identifiers Chinese officials use."""
import re

from django.core.exceptions import ValidationError

from .i18n import bilingual

# GB 32100-2015 統一社会信用代码: 18 characters from this 31-character alphabet (no I, O, S, V, Z).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    """The 18th character: 31 minus the weighted sum mod 31 (31 itself maps to 0)."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(
            bilingual("统一社会信用代码应为18位，实为{n}位", "the unified social credit code must have 18 characters, not {n}", n=len(code)),
            code="credit_code_length",
        )
    bad = [c for c in code if c not in CREDIT_CODE_ALPHABET]
    if bad:
        raise ValidationError(
            bilingual("统一社会信用代码含非法字符：{c}", "the unified social credit code has invalid characters: {c}", c="".join(bad)),
            code="credit_code_charset",
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise ValidationError(
            bilingual(
                "统一社会信用代码校验位错误：应为{e}，实为{a}",
                "wrong check character in the unified social credit code: expected {e}, got {a}",
                e=expected,
                a=code[17],
            ),
            code="credit_code_check",
        )


# What XML 1.0 cannot carry (and PostgreSQL text cannot hold: NUL): C0 controls but tab, newline
# and carriage return; surrogates; U+FFFE, U+FFFF. A name holding one breaks every export.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def validate_plain_text(value) -> None:
    bad = _BAD_CHARS.search(value) if isinstance(value, str) else None
    if bad:
        raise ValidationError(
            bilingual("含有不允许的控制字符：U+{c:04X}", "contains a control character that is not allowed: U+{c:04X}",
                      c=ord(bad.group())),
            code="control_character",
        )


def validate_gb28181_id(value: str) -> None:
    if value and (len(value) != 20 or not value.isdigit()):
        raise ValidationError(
            bilingual("国标编码应为20位数字", "a GB/T 28181 ID has 20 digits"), code="gb28181_id"
        )


def validate_district(value: str) -> None:
    """Registry rows sit in one of Kunming's 14 county-level divisions, never at city level."""
    from jifang.core.divisions import DISTRICTS

    if value not in DISTRICTS:
        raise ValidationError(
            bilingual("未知的昆明市区县行政区划代码：{v}", "unknown Kunming district division code: {v}", v=value),
            code="district",
        )


def validate_not_future(value) -> None:
    """A day the law speaks of as past (designated, accepted, connected, installed) cannot be
    after today (Asia/Shanghai)."""
    from django.utils import timezone

    if value is not None and value > timezone.localdate():
        raise ValidationError(bilingual("不能晚于今天（{d}）", "cannot be after today ({d})", d=timezone.localdate()),
                              code="future")


def validate_retention_days(value) -> None:
    """A configured retention period in days: from 1 up to JIFANG_RETENTION_DAYS_MAX (ten years by
    default; art_19 asks at least 30 days, no system keeps footage for centuries)."""
    from django.conf import settings

    limit = settings.JIFANG_RETENTION_DAYS_MAX
    if value is not None and not 1 <= value <= limit:
        raise ValidationError(bilingual("存储天数应在1到{n}之间", "retention days must be between 1 and {n}", n=limit),
                              code="retention_days")
