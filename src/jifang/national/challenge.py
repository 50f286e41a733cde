"""A question anyone can answer and no script gets for free, with no outside service and no account:
a small sum, signed with the site's key (django.core.signing) and valid for a while. The page shows
the question; the answer travels back with the signed token; nothing is stored on the server."""
import secrets

from django.core import signing

SALT = "jifang.national.challenge"
MAX_AGE_SECONDS = 30 * 60
ZH_DIGITS = "零一二三四五六七八九十"


def issue() -> tuple[str, str]:
    """(question as people read it, signed token)."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = signing.dumps({"s": a + b, "n": secrets.token_hex(4)}, salt=SALT)
    return f"{ZH_DIGITS[a]}加{ZH_DIGITS[b]}等于几？ / What is {a} plus {b}?", token


def passed(token: str, answer: str) -> bool:
    """True when the token is ours, recent, and the answer is its sum (digits, surrounding blanks ignored)."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # also SignatureExpired
        return False
    answer = (answer or "").strip()
    return answer.isascii() and answer.isdigit() and len(answer) <= 3 and int(answer) == data.get("s")
