"""The web pages' assets: all in the repository, and little JavaScript."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import server.web

WEB = Path(server.web.__file__).parent
#: The issue's budget for all the JavaScript the pages load, gzipped.
JS_BUDGET = 100 * 1024


def test_the_pages_javascript_stays_within_its_budget() -> None:
    scripts = sorted((WEB / "static").rglob("*.js"))
    assert scripts
    total = sum(len(gzip.compress(path.read_bytes(), 9)) for path in scripts)
    assert total <= JS_BUDGET, f"{total} bytes of gzipped JavaScript"


def test_nothing_is_loaded_from_elsewhere() -> None:
    """No CDN: templates, styles and scripts name only this site's paths."""
    remote = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.I)
    for path in [*(WEB / "templates").rglob("*.html"), *(WEB / "static").rglob("*.css")]:
        assert not remote.search(path.read_text()), path
    worker = (WEB / "static" / "app" / "sw.js").read_text()
    assert "http" not in worker


def test_vendored_htmx_ships_with_its_licence() -> None:
    vendor = WEB / "static" / "vendor"
    assert (vendor / "htmx.min.js").read_text().startswith("var htmx")
    assert "Zero-Clause BSD" in (vendor / "htmx.LICENSE").read_text()


def test_vendored_chart_js_ships_with_its_licence() -> None:
    vendor = WEB / "static" / "vendor"
    assert (vendor / "chart.min.js").read_text().startswith("/*! Chart.js 4.")
    licence = (vendor / "chart.LICENSE").read_text()
    assert "The MIT License" in licence and "@kurkle/color" in licence
