"""The ``web.pages`` benchmark: registered, measuring the pages the issue names, with its bars."""

from __future__ import annotations

from tests.bench import benchmarks  # noqa: F401  (registers every benchmark)
from tests.bench.core import REGISTRY, Bar, Figure
from tests.bench.web_pages import PAGES, PAINT_BAR, SERVER_BAR


def _figure(p95: float, bar: Bar) -> Figure:
    return Figure(name="web.pages.x", unit="ms", median=p95, p95=p95, p99=p95, bar=bar)


def test_web_pages_is_registered_with_the_pages_the_issue_names() -> None:
    assert "web.pages" in REGISTRY
    paths = {page.path.split("?")[0] for page in PAGES}
    assert {
        "/manage",
        "/manage/schedule",
        "/manage/members",
        "/manage/reports/attendance",
        "/app/pass",
    } <= (paths)
    assert {page.path for page in PAGES if page.paint} == {"/manage", "/app/pass"}
    assert any(page.path.startswith("/manage/members?q=") for page in PAGES)


def test_the_bars_are_100_ms_of_server_time_and_1_s_to_first_paint() -> None:
    assert _figure(100.0, SERVER_BAR).passed and not _figure(100.1, SERVER_BAR).passed
    assert _figure(1000.0, PAINT_BAR).passed and not _figure(1000.1, PAINT_BAR).passed
