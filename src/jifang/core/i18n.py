"""Messages that must reach a person in both languages at once (errors from services, imports, CLI).

The UI itself is translated with Django's gettext; a service error, though, may end up in a log, an
import report or an API response read by either side, so it carries Chinese first, then English.
"""


def bilingual(zh: str, en: str, **values) -> str:
    return f"{zh.format(**values)} / {en.format(**values)}"
