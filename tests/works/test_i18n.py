"""The works catalogue: complete, no fuzzy entries, and not overridden by an app listed earlier."""
from pathlib import Path

import polib
import pytest
from django.utils import translation

import jifang

CATALOGUE = Path(jifang.__file__).parent / "works" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module", autouse=True)
def compiled():
    mo = CATALOGUE.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < CATALOGUE.stat().st_mtime:
        polib.pofile(str(CATALOGUE)).save_as_mofile(str(mo))
        translation.trans_real._translations = {}
        translation.trans_real._default = None


def test_catalogue_is_complete():
    po = polib.pofile(str(CATALOGUE))
    assert len(po) > 100
    assert ([e.msgid for e in po.untranslated_entries()], [e.msgid for e in po.fuzzy_entries()]) == ([], [])


def test_what_is_shown_is_what_the_catalogue_says():
    """A msgid shared with an app listed earlier shows that app's word: ours must agree with it."""
    with translation.override("zh-hans"):
        shown = {e.msgid: translation.gettext(e.msgid) for e in polib.pofile(str(CATALOGUE))}
        clashes = {e.msgid: (shown[e.msgid], e.msgstr) for e in polib.pofile(str(CATALOGUE))
                   if shown[e.msgid] != e.msgstr}
    assert clashes == {}
