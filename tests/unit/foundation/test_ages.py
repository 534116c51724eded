"""Ages read as a registry gives them: months, weeks or days under two years, whole years without decimals."""

from __future__ import annotations

import pytest

from core.catalogue.normalise import normalise_age
from core.domain.ages import age_with_unit, describe_age_range


@pytest.mark.parametrize(("registry", "said"), [
    ("6 Months", "6 months"), ("21 Months", "21 months"), ("2 Weeks", "2 weeks"), ("1 Year", "1 year"),
    ("18 Months", "18 months"), ("17 Years", "17 years"), ("1 Month", "1 month"), ("3 Days", "3 days"),
])
def test_a_registry_age_reads_in_its_own_unit(registry: str, said: str) -> None:
    assert age_with_unit(normalise_age(registry)) == said


def test_an_age_that_is_no_whole_unit_keeps_two_decimals_in_years() -> None:
    assert age_with_unit(0.12) == "0.12 years" and age_with_unit(14.333) == "14.33 years"


@pytest.mark.parametrize(("low", "high", "said"), [
    (0.5, 17.0, "Ages 6 months to 17 years"), (1.0, 17.0, "Ages 1 to 17 years"),
    (0.5, None, "Ages 6 months and older"), (None, 1.75, "Ages up to 21 months"), (None, None, "All ages"),
])
def test_an_age_range_names_each_unit_once(low: float | None, high: float | None, said: str) -> None:
    assert describe_age_range(low, high) == said
