"""SyncQuery validation and its encoding into API v2 `/studies` parameters."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from core.catalogue.sync_query import GeoFilter, SyncQuery


def test_to_params_encodes_every_filter():
    query = SyncQuery(
        condition="T-cell leukemia",
        term="CAR-T",
        statuses=("RECRUITING", "NOT_YET_RECRUITING"),
        geo=GeoFilter(latitude=52.37, longitude=-4.9, radius_km=250),
        updated_since=date(2026, 1, 1),
        page_size=1000,
    )

    assert query.to_params(page_token="abc") == {
        "format": "json",
        "pageSize": "1000",
        "query.cond": "T-cell leukemia",
        "query.term": "CAR-T",
        "filter.overallStatus": "RECRUITING,NOT_YET_RECRUITING",
        "filter.geo": "distance(52.37,-4.9,250km)",
        "filter.advanced": "AREA[LastUpdatePostDate]RANGE[2026-01-01,MAX]",
        "pageToken": "abc",
    }


def test_to_params_leaves_out_unset_filters_and_lets_the_run_override_the_update_bound():
    query = SyncQuery(updated_since=date(2026, 1, 1))

    params = query.to_params(updated_since=date(2026, 3, 5))

    assert params == {
        "format": "json",
        "pageSize": "100",
        "filter.advanced": "AREA[LastUpdatePostDate]RANGE[2026-03-05,MAX]",
    }


@pytest.mark.parametrize("page_size", [0, -1, 1001, 5000])
def test_page_size_outside_1_to_1000_is_refused(page_size):
    with pytest.raises(ValidationError, match="page_size"):
        SyncQuery(page_size=page_size)


def test_unknown_status_is_refused():
    with pytest.raises(ValidationError):
        SyncQuery(statuses=("OPEN",))


def test_geo_coordinates_are_range_checked_and_written_without_exponents():
    with pytest.raises(ValidationError):
        GeoFilter(latitude=91, longitude=0, radius_km=10)
    assert GeoFilter(latitude=0.00001, longitude=-0.0, radius_km=5).to_param() == "distance(0.00001,0,5km)"


def test_fingerprint_ignores_page_size_update_bound_and_status_order():
    base = SyncQuery(condition="lymphoma", statuses=("RECRUITING", "AVAILABLE"))
    same = SyncQuery(
        condition="lymphoma",
        statuses=("AVAILABLE", "RECRUITING"),
        page_size=500,
        updated_since=date(2026, 1, 1),
    )
    other = SyncQuery(condition="leukemia", statuses=("RECRUITING", "AVAILABLE"))

    assert base.fingerprint() == same.fingerprint()
    assert base.fingerprint() != other.fingerprint()
