"""The accessibility check the browser tests run on every page finds what it should."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.web.pages import assert_accessible


def test_a_form_field_without_a_label_and_faint_text_are_caught(browser: Browser) -> None:
    page = browser.new_page()
    page.set_content(
        "<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><main>"
        "<input type='text'><p style='color:#ccc;background:#fff'>faint</p></main></body></html>"
    )
    with pytest.raises(AssertionError) as caught:
        assert_accessible(page, "bad page")
    assert "label" in str(caught.value)
    assert "color-contrast" in str(caught.value)


def test_a_labelled_field_with_readable_text_passes(browser: Browser) -> None:
    page = browser.new_page()
    page.set_content(
        "<!DOCTYPE html><html lang='en'><head><title>t</title></head><body><main>"
        "<label for='n'>Name</label><input id='n' type='text'><p>plain</p></main></body></html>"
    )
    assert_accessible(page, "good page")
