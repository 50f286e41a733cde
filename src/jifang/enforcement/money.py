"""Money as officials write it: 人民币伍仟元整 in words, 5,000元 in figures. Always Decimal yuan."""
from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ["", "拾", "佰", "仟"]
BIG_UNITS = ["", "万", "亿", "万亿"]


def _group(n: int) -> str:
    """0-9999 in words, with 零 for inner gaps (1001 -> 壹仟零壹)."""
    out, zero = "", False
    for pos in range(3, -1, -1):
        d = n // 10**pos % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[d] + SMALL_UNITS[pos]
    return out


def _integer(n: int) -> str:
    if n == 0:
        return "零"
    groups, i = [], 0
    while n:
        groups.append((n % 10000, i))
        n //= 10000
        i += 1
    out, need_zero = "", False
    for value, idx in reversed(groups):
        if value == 0:
            need_zero = bool(out)
            continue
        if out and (need_zero or value < 1000):
            out += "零"
        out += _group(value) + BIG_UNITS[idx]
        need_zero = False
    return out


def yuan_words(amount: Decimal) -> str:
    """人民币伍仟元整; 人民币贰仟零伍拾元伍角 for cents."""
    amount = Decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
    yuan = int(amount)
    jiao, fen = divmod(int((amount - yuan) * 100), 10)
    text = f"人民币{_integer(yuan)}元"
    if not jiao and not fen:
        return text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += "零"
    return text + (DIGITS[fen] + "分" if fen else "")


def yuan_figures(amount: Decimal) -> str:
    """5,000元; 2,050.50元 when there are cents."""
    amount = Decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if amount == amount.to_integral():
        return f"{int(amount):,}元"
    return f"{amount:,.2f}元"
