"""Chinese first, English on request: complete catalogues, the default language, the switch, and the
formats officials read (2026年11月28日, 五华区（530102）, 5000元)."""
import datetime as dt
from pathlib import Path

import polib
import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

import jifang

from .. import factories as f

SRC = Path(jifang.__file__).parent
APPS = ["core", "accounts", "registry", "dashboards"]


def catalogue(app: str) -> Path:
    return SRC / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """`make setup` compiles the catalogues; a bare pytest run may not have, so compile when stale."""
    stale = any(
        not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
        for po in (catalogue(app) for app in APPS)
    )
    if stale:
        for app in APPS:
            _compile(app)
        # Django caches catalogues per process; drop the cache so the fresh .mo files are read.
        translation.trans_real._translations = {}
        translation.trans_real._default = None
    yield


def _compile(app: str) -> None:
    po = polib.pofile(str(catalogue(app)))
    po.save_as_mofile(str(catalogue(app).with_suffix(".mo")))


@pytest.mark.parametrize("app", APPS)
def test_catalogue_is_complete(app):
    po = polib.pofile(str(catalogue(app)))
    assert len(po) > 10
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    obsolete = [e.msgid for e in po.obsolete_entries()]
    # "#| msgid" left over means a fuzzy guess (Created -> 创建时间 from "created at") was kept
    guessed = [e.msgid for e in po if e.previous_msgid]
    assert (untranslated, fuzzy, obsolete, guessed) == ([], [], [], [])


@pytest.mark.parametrize("app", APPS)
def test_no_other_catalogue_overrides_ours(app):
    """Apps listed earlier in INSTALLED_APPS (django.contrib.auth...) win a shared msgid: "active"
    became 有效 for a device. A clash must be resolved with a context (pgettext)."""
    with translation.override("zh-hans"):
        for e in polib.pofile(str(catalogue(app))):
            if e.msgid_plural:
                continue
            shown = translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt else translation.gettext(e.msgid)
            assert shown.strip() == e.msgstr, e.msgid


@pytest.mark.parametrize("app", APPS)
def test_placeholders_survive_translation(app):
    """A msgstr that drops or renames %(key)s would crash or mislead at run time."""
    import re

    pattern = re.compile(r"%\(\w+\)s|\{\w+\}")
    for e in polib.pofile(str(catalogue(app))):
        strings = e.msgstr_plural.values() if e.msgid_plural else [e.msgstr]
        for text in strings:
            assert sorted(pattern.findall(e.msgid)) == sorted(pattern.findall(text)), e.msgid


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_english_after_the_switch(client, city_officer):
    client.force_login(city_officer)
    page = client.get(reverse("registry:site_list")).content.decode()
    assert '<html lang="zh-hans">' in page and "<h1 class=\"h4 me-auto\">场所</h1>" in page and "筛选" in page
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("registry:site_list")})
    assert response.status_code == 302 and response["Location"] == reverse("registry:site_list")
    page = client.get(reverse("registry:site_list")).content.decode()
    assert '<html lang="en">' in page and '<h1 class="h4 me-auto">sites</h1>' in page.lower() and "筛选" not in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "概况" in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_choices_and_field_names_are_translated(client, city_officer, wuhua_unit):
    site = f.SiteFactory(unit=wuhua_unit, art6_point=10, designation_number="昆公技指〔2026〕1号",
                         designation_date=dt.date(2026, 11, 28))
    client.force_login(city_officer)
    page = client.get(reverse("registry:site_detail", args=[site.pk])).content.decode()
    assert "第六条类别" in page and "（十）公安机关指定的其他场所和部位" in page
    assert "2026年11月28日" in page and "五华区（530102）" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("registry:site_detail", args=[site.pk])).content.decode()
    assert "art. 6 category" in page and "Nov. 28, 2026" in page and "Wuhua District (530102)" in page


@pytest.mark.parametrize("lang,amount,expected", [
    ("zh-hans", 5000, "5000元"), ("zh-hans", "200.50", "200.50元"), ("en", 20000, "20,000 yuan"),
    ("en", "200.5", "200.50 yuan"), ("zh-hans", None, "—"),
])
def test_money_is_shown_in_yuan(lang, amount, expected):
    with translation.override(lang):
        assert Template("{% load jifang %}{{ a|yuan }}").render(Context({"a": amount})) == expected


@pytest.mark.django_db
def test_sign_in_page_is_chinese(client):
    page = client.get(reverse("login")).content.decode()
    assert "登录" in page and "用户名" in page and "密码" in page
