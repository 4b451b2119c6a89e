"""Turn a report's HTML template and print CSS into PDF bytes, with WeasyPrint.

Nothing outside the bundled assets is ever read or fetched: the URL fetcher serves the
report's own files, the shared print styles and the bundled fonts, and refuses anything else
(file://, http(s)://, data:, redirects), so text a user typed cannot pull anything in.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from collections import OrderedDict
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from practice import resources

# A made-up origin for bundled files; nothing is ever fetched from it over a network.
ASSET_BASE = "https://assets.practice.invalid/"
log = logging.getLogger(__name__)


def _fonts() -> dict[str, Path]:
    """DejaVu Sans, bundled with matplotlib (already a dependency), so PDFs look the same on
    every machine whatever fonts it has installed."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    names = (
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique.ttf",
        "DejaVuSans-BoldOblique.ttf",
    )
    return {f"fonts/{name}": folder / name for name in names}


@cache
def bundled_assets() -> dict[str, Path]:
    """Every URL a report may load, mapped to its file on disk."""
    assets = {ASSET_BASE + key: path for key, path in _fonts().items()}
    folder = resources.reports()
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".css", ".svg", ".png"):
            assets[ASSET_BASE + path.relative_to(folder).as_posix()] = path
    return assets


class BundledOnlyFetcher:
    """A WeasyPrint URL fetcher that serves bundled files and refuses everything else."""

    def __init__(self, extra: dict[str, bytes] | None = None) -> None:
        self.extra = extra or {}  # generated assets for this one report (charts)
        self.refused: list[str] = []

    def __call__(self, url: str, headers: Any = None):
        return self.fetch(url, headers)

    def fetch(self, url: str, headers: Any = None):
        from weasyprint.urls import URLFetcherResponse

        if url in self.extra:
            kind = mimetypes.guess_type(url)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=self.extra[url], headers={"Content-Type": kind})
        path = bundled_assets().get(url)
        if path is None:
            self.refused.append(url[:100])
            raise ValueError("only bundled report assets may be loaded")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": kind})


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(resources.reports())),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def render_html(report: str, context: dict[str, Any]) -> str:
    return (
        _environment()
        .get_template(f"{report}/template.html")
        .render(asset_base=ASSET_BASE, report=report, **context)
    )


# The last reports made, by a hash of everything they are made from: the same data gives the
# same bytes, so an unchanged report is served again without rendering it.
_CACHE: OrderedDict[str, bytes] = OrderedDict()
CACHE_SIZE = 32


def render_pdf(
    report: str, context: dict[str, Any], extra: dict[str, bytes] | None = None
) -> bytes:
    """The PDF of a report. The same context gives the same bytes."""
    html = render_html(report, context)
    key = hashlib.sha256(html.encode())
    for url, content in sorted((extra or {}).items()):
        key.update(url.encode() + hashlib.sha256(content).digest())
    digest = key.hexdigest()
    if digest in _CACHE:
        _CACHE.move_to_end(digest)
        return _CACHE[digest]
    pdf = _render(report, html, extra)
    _CACHE[digest] = pdf
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return pdf


def _render(report: str, html: str, extra: dict[str, bytes] | None) -> bytes:
    from weasyprint import CSS, HTML

    fetcher = BundledOnlyFetcher(extra)
    stylesheets = [
        CSS(url=ASSET_BASE + "_shared/print.css", url_fetcher=fetcher),
        CSS(url=f"{ASSET_BASE}{report}/print.css", url_fetcher=fetcher),
    ]
    document = HTML(string=html, base_url=ASSET_BASE, url_fetcher=fetcher)
    # A fixed identifier derived from the content keeps the bytes stable for the same data.
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    pdf = document.write_pdf(stylesheets=stylesheets, pdf_identifier=identifier)
    if fetcher.refused:
        log.info("report %s: %d resources refused", report, len(fetcher.refused))
    return pdf
