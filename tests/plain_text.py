"""What a person must never read on a screen or in a document: the code's own names. Shared by the
browser walk (tests/browser/test_plain_screens.py) and the PDF checks."""
import re

INTERNAL = {
    "rule id": r"\bart\d+-[a-z0-9-]+",
    "clause id": r"\bart_\d+(?:__[a-z0-9_]+)?",
    "enum key or field name": r"\b[a-z]+_[a-z0-9_]+\b",
    "audit action": r"\b[a-z]+\.[a-z_]+\.[a-z_]+\b",
    "model name": r"\b(?:registry|works|enforcement|regulation|accounts|core)\.[A-Z]\w+",
    "code word in a Chinese sentence": r"[\u4e00-\u9fff][a-z]{3,}\b",
    "Python value": r"\b(?:None|True|False)\b",
    "rule id of a hand-raised finding": r"\bmanual\b",
}
# In Chinese mode, English that Django or a library would show untranslated.
ENGLISH_FRAGMENTS = r"\b\d+ errors?\b|Not Found|Forbidden|Server Error|This field is required|Page not found"


def internal_codes(text: str, *, chinese: bool = True) -> list[str]:
    """Every internal name in `text`, each as "kind: match"."""
    found = []
    patterns = dict(INTERNAL)
    if chinese:
        patterns["English in Chinese mode"] = ENGLISH_FRAGMENTS
    else:
        del patterns["Python value"]  # "None." is English for 无。
    for kind, pattern in patterns.items():
        found += [f"{kind}: {m}" for m in sorted(set(re.findall(pattern, text)))]
    return found
