"""Official documents as PDF: WeasyPrint, A4, Chinese text in an embedded CJK font.

- The font comes from a local file (settings.JIFANG_PDF_FONT, default Debian's fonts-wqy-zenhei)
  through @font-face; the URL fetcher serves only that file and data: URLs, so rendering never
  reaches the network, whatever a template says.
- The same record gives the same bytes: the PDF's dates come from the record (not the clock), and
  its /ID is derived from the document's own identifier instead of being random.
"""
import datetime as dt
import hashlib
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def font_path() -> Path:
    return Path(getattr(settings, "JIFANG_PDF_FONT", "") or DEFAULT_FONT)


BASE_CSS = """
@font-face {{ font-family: "JifangCJK"; src: url("{font}"); }}
@page {{ size: A4; margin: 22mm 20mm 22mm 20mm;
        @bottom-center {{ content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";
                          font-family: "JifangCJK"; font-size: 9pt; color: #555; }} }}
html {{ font-family: "JifangCJK"; font-size: 11.5pt; line-height: 1.65; color: #000; }}
"""


def _offline_fetcher(allowed: set[str]):
    """A WeasyPrint fetcher that serves the configured font and data: URLs and refuses everything
    else (no network, no other files), whatever a template asks for."""
    from weasyprint.urls import URLFetcher

    class OfflineFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if not (url.startswith("data:") or url.split("?")[0] in allowed):
                raise ValueError(f"PDF rendering fetches nothing from outside: {url}")
            return super().fetch(url, headers)

    return OfflineFetcher(allowed_protocols={"file", "data"})


def _pdf_date(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_pdf(template_name: str, context: dict, *, title: str, identifier: str, created: dt.datetime) -> bytes:
    """Render a Django template to PDF bytes, reproducibly for a given (identifier, created)."""
    from weasyprint import CSS, HTML

    font_url = font_path().resolve().as_uri()
    html = render_to_string(template_name, {**context, "pdf_title": title})
    fetcher = _offline_fetcher({font_url})
    document = HTML(string=html, url_fetcher=fetcher, base_url="/")
    doc = document.render(stylesheets=[CSS(string=BASE_CSS.format(font=font_url), url_fetcher=fetcher)])
    doc.metadata.title = title
    doc.metadata.authors = ["Jifang"]
    doc.metadata.generator = "Jifang"
    doc.metadata.created = doc.metadata.modified = _pdf_date(created)
    pdf_id = hashlib.sha256(identifier.encode()).hexdigest()[:32].encode()
    return doc.write_pdf(pdf_identifier=pdf_id)
