"""The later apps' catalogues (regulation, works, enforcement), checked as tests/core/test_i18n.py
checks core, accounts and registry: complete, no fuzzy guesses, and no msgstr silently replaced by
an earlier app's (enforcement's "name" showed accounts' 名称 for a person's 姓名)."""
from pathlib import Path

import polib
import pytest
from django.utils import translation

import jifang

SRC = Path(jifang.__file__).parent
APPS = ["regulation", "works", "enforcement"]


def catalogue(app: str) -> Path:
    return SRC / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """Compile stale catalogues (a bare pytest run may not have) and drop Django's cache."""
    stale = [po for po in map(catalogue, APPS)
             if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime]
    for po in stale:
        polib.pofile(str(po)).save_as_mofile(str(po.with_suffix(".mo")))
    if stale:
        translation.trans_real._translations = {}
        translation.trans_real._default = None
    yield


@pytest.mark.parametrize("app", APPS)
def test_catalogue_is_complete(app):
    po = polib.pofile(str(catalogue(app)))
    assert len(po) > 10
    assert ([e.msgid for e in po.untranslated_entries()], [e.msgid for e in po.fuzzy_entries()],
            [e.msgid for e in po.obsolete_entries()], [e.msgid for e in po if e.previous_msgid]) == ([], [], [], [])


@pytest.mark.parametrize("app", APPS)
def test_no_earlier_catalogue_overrides_ours(app):
    with translation.override("zh-hans"):
        for e in polib.pofile(str(catalogue(app))):
            if e.msgid_plural:
                continue
            shown = translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt else translation.gettext(e.msgid)
            assert shown.strip() == e.msgstr, (e.msgctxt, e.msgid, shown)
