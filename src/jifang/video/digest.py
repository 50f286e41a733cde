"""HTTP digest authentication as SIP registrars use it (RFC 2617, MD5): qop=auth and the older
no-qop form, which many GB/T 28181 devices still send.

Nonces are stateless: `<hex time>.<hmac>` keyed by a gateway secret, so that several gateway
processes sharing the secret accept each other's challenges and nothing is stored per challenge.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import time

NONCE_LIFETIME = 300          # seconds a challenge stays valid; older ones get stale=true
_PARAM = re.compile(r'\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]+)\s*(?:,|$)')


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def response(*, username: str, realm: str, password: str, method: str, uri: str, nonce: str,
             qop: str = "", nc: str = "", cnonce: str = "") -> str:
    """The digest a client computes; with qop="" the RFC 2069 form."""
    ha1 = _md5(f"{username}:{realm}:{password}")
    ha2 = _md5(f"{method}:{uri}")
    if qop:
        return _md5(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _md5(f"{ha1}:{nonce}:{ha2}")


def parse_authorization(value: str | None) -> dict[str, str] | None:
    """The parameters of `Digest k=v, k="v"`; None when the header is absent or not a digest."""
    if not value:
        return None
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "digest" or len(rest) > 4096:
        return None
    params: dict[str, str] = {}
    position = 0
    rest = rest.strip()
    while position < len(rest):
        match = _PARAM.match(rest, position)
        if not match or match.end() == position:
            return None
        raw = match.group(2)
        params[match.group(1).lower()] = raw[1:-1].replace('\\"', '"') if raw.startswith('"') else raw
        position = match.end()
    return params


class NonceBook:
    def __init__(self, secret: bytes, lifetime: int = NONCE_LIFETIME, clock=time.time):
        self.secret = secret
        self.lifetime = lifetime
        self.clock = clock

    def _mac(self, stamp: str) -> str:
        return hmac.new(self.secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        stamp = format(int(self.clock()), "x")
        return f"{stamp}.{self._mac(stamp)}"

    def check(self, nonce: str) -> str:
        """'ok', 'stale' (ours but expired) or 'bad'."""
        stamp, _, mac = nonce.partition(".")
        if not stamp or len(stamp) > 16 or not hmac.compare_digest(mac, self._mac(stamp)):
            return "bad"
        try:
            age = self.clock() - int(stamp, 16)
        except ValueError:
            return "bad"
        return "ok" if -5 <= age <= self.lifetime else "stale"


def challenge(realm: str, nonce: str, *, stale: bool = False) -> str:
    value = f'Digest realm="{realm}", nonce="{nonce}", algorithm=MD5, qop="auth"'
    return value + (", stale=true" if stale else "")


def verify(params: dict[str, str], *, method: str, realm: str, password: str) -> bool:
    """Whether the Authorization parameters prove knowledge of `password` (qop=auth or none)."""
    qop = params.get("qop", "")
    if qop not in ("", "auth") or params.get("algorithm", "MD5").upper() != "MD5":
        return False
    if params.get("realm") != realm:
        return False
    needed = ("username", "nonce", "uri", "response") + (("nc", "cnonce") if qop else ())
    if any(name not in params for name in needed):
        return False
    expected = response(username=params["username"], realm=realm, password=password, method=method,
                        uri=params["uri"], nonce=params["nonce"], qop=qop, nc=params.get("nc", ""),
                        cnonce=params.get("cnonce", ""))
    return hmac.compare_digest(expected, params["response"].lower())
