"""Every page in every role's menu, read as its user reads it: no rule ids, clause ids, enum keys,
audit action names or model names on the screen or in the official PDFs, and (in Chinese mode) no
untranslated English. The demo city is the data: it has findings, inspections, orders and cases."""
import re
import shutil
import subprocess

import pytest
from django.core.management import call_command

from jifang.demo.management.commands.demo import DEMO_PASSWORD

from ..plain_text import internal_codes
from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["admin", "city", "wuhua", "zhujian", "bank", "firm"]
DETAIL = re.compile(r"^/[a-z-]+/(?:[a-z-]+/)*\d+/$")
PER_PAGE = 2  # detail pages followed from each page
MAX_PAGES = 45  # per role: the menu, two records of each list, and two records linked from those


@pytest.fixture
def demo_city(django_db_blocker):
    call_command("demo", scale=60, stdout=open("/dev/null", "w"))


def _menu(page) -> list[str]:
    hrefs = page.eval_on_selector_all("nav a[href]", "els => els.map(e => e.getAttribute('href'))")
    return list(dict.fromkeys(h for h in hrefs if h.startswith("/") and h != "#"))


def _walk(page, start: list[str]):
    """Yield (url, status, text, pdf links) for the menu pages, then the records they link to, and
    the records linked from those (breadth first, up to MAX_PAGES)."""
    seen, queue = set(), list(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = page.goto(url)
        text = page.inner_text("body")
        links = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.getAttribute('href'))")
        pdfs = [h for h in links if h.endswith(".pdf")]
        queue += [h for h in dict.fromkeys(links) if DETAIL.match(h) and h not in seen][:PER_PAGE]
        if url in start:
            queue += [h for h in dict.fromkeys(links) if h.endswith("/add/")][:1]
        yield url, response.status, text, pdfs


def _pdf_text(page, url: str) -> str:
    response = page.request.get(url)
    assert response.ok, url
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.body(), capture_output=True, check=True)
    return out.stdout.decode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
@pytest.mark.parametrize("username", ROLES)
def test_no_page_or_document_shows_an_internal_code(page, demo_city, username):
    login(page, username, DEMO_PASSWORD)
    problems, pages, documents = [], 0, set()
    for url, status, text, pdfs in _walk(page, _menu(page)):
        pages += 1
        assert status < 500, f"{url}: {status}"
        problems += [f"{url}: {p}" for p in internal_codes(text)]
        documents.update(pdfs)
    for url in sorted(documents)[:6]:
        problems += [f"{url}: {p}" for p in internal_codes(_pdf_text(page, url))]
    assert pages >= 8
    assert problems == []


def test_english_mode_names_districts_and_clauses_in_english(page, demo_city):
    login(page, "city", DEMO_PASSWORD)
    page.click("button[name=language][value=en]")
    page.goto("/regulation/")
    text = page.inner_text("main")
    assert "Art. 7" in text and "Art. 6 item 8" in text and "第七条" not in text.split("\n")[0]
    page.goto("/registry/sites/")
    sites = page.inner_text("[data-testid=object-table]")
    assert "Wuhua District (530102)" in sites and "五华区（530102）" not in sites
    for url, status, text, _ in _walk(page, _menu(page)):
        assert internal_codes(text, chinese=False) == [], url
