"""The catalogue explorer: each filter in SQL, paging, sorting, facets, exports and URL round trips."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from core.catalogue.explorer import (
    ExplorerFilter,
    export_trials,
    facet_counts,
    get_trial_detail,
    search_trials,
)
from core.domain.trial import Site
from core.errors import NotFound, PermissionDenied
from tests.support.flow import add_trials, make_trial


@pytest.fixture
def catalogue(db):
    add_trials(
        make_trial("NCT01000001", brief_title="CD7 CAR-T for T-ALL", phases=["PHASE1"], start_date=date(2024, 1, 1),
                   last_update_date=date(2026, 5, 1), tags=["car_t", "cell_therapy"]),
        make_trial("NCT01000002", brief_title="Asthma biologic", conditions=["Asthma"], phases=["PHASE3"], sex="FEMALE",
                   minimum_age_years=40, maximum_age_years=None, overall_status="COMPLETED", sponsor="Lung Co",
                   start_date=date(2019, 3, 1), last_update_date=date(2020, 1, 1),
                   sites=[Site(city="Sydney", country="Australia", latitude=-33.87, longitude=151.2)]),
        make_trial("NCT01000003", brief_title="Paediatric B-ALL <b>CD19</b>", minimum_age_years=1, maximum_age_years=17,
                   study_type="EXPANDED_ACCESS", overall_status="AVAILABLE", phases=[], tags=["children"],
                   last_update_date=date(2026, 1, 1)),
    )


def ids(page):  # noqa: ANN001, ANN201
    return sorted(r.registry_id for r in page.rows)


def test_filters(team, catalogue):
    search = lambda **kw: ids(search_trials(team.analyst, ExplorerFilter(**kw)))  # noqa: E731
    assert search() == ["NCT01000001", "NCT01000002", "NCT01000003"]
    assert search(text="asthma") == ["NCT01000002"]
    assert search(status=["RECRUITING", "AVAILABLE"]) == ["NCT01000001", "NCT01000003"]
    assert search(phase=["PHASE3"]) == ["NCT01000002"]
    assert search(study_type=["EXPANDED_ACCESS"]) == ["NCT01000003"]
    assert search(tag=["car_t"]) == ["NCT01000001"]
    assert search(age=75) == ["NCT01000002"]
    assert search(age=10) == ["NCT01000003"]
    assert search(sex="male") == ["NCT01000001", "NCT01000003"]
    assert search(country=["Australia"]) == ["NCT01000002"]
    assert search(sponsor="lung") == ["NCT01000002"]
    assert search(updated_since=date(2026, 1, 1)) == ["NCT01000001", "NCT01000003"]
    assert search(near_lat=53.48, near_lon=-2.24, radius_km=50) == ["NCT01000001", "NCT01000003"]


def test_paging_sorting_and_facets(team, catalogue):
    first = search_trials(team.analyst, ExplorerFilter(), page=1, page_size=2, sort="registry id")
    second = search_trials(team.analyst, ExplorerFilter(), page=2, page_size=2, sort="registry id")
    assert first.total == 3 and [r.registry_id for r in first.rows + second.rows] == ["NCT01000001", "NCT01000002", "NCT01000003"]
    facets = facet_counts(team.analyst, ExplorerFilter())
    assert dict(facets["status"]) == {"RECRUITING": 1, "COMPLETED": 1, "AVAILABLE": 1}
    assert dict(facets["phase"]) == {"PHASE1": 1, "PHASE3": 1}
    assert dict(facets["start year"]) == {"2019": 1, "2024": 1}
    assert ("United Kingdom", 2) in facets["country"]


def test_exports_and_permissions(team, catalogue):
    csv_text = export_trials(team.analyst, ExplorerFilter(text="asthma"), "csv").decode()
    assert csv_text.splitlines()[0].startswith("registry_id,") and "NCT01000002" in csv_text and "NCT01000001" not in csv_text
    wb = load_workbook(io.BytesIO(export_trials(team.admin, ExplorerFilter(), "xlsx")))
    assert wb.active.max_row == 4
    with pytest.raises(PermissionDenied):
        export_trials(team.reviewer, ExplorerFilter(), "csv")


def test_detail_keeps_html_as_text(team, catalogue):
    detail = get_trial_detail(team.reviewer, "NCT01000003")
    assert detail.trial.brief_title == "Paediatric B-ALL <b>CD19</b>"
    assert len(detail.trial.criteria) == 3
    with pytest.raises(NotFound):
        get_trial_detail(team.reviewer, "NCT404")


def test_query_params_round_trip_and_bad_values():
    flt = ExplorerFilter(text="car-t", status=["RECRUITING"], age=16, updated_since=date(2026, 1, 2))
    params = flt.to_query_params()
    back, problems = ExplorerFilter.from_query_params(params)
    assert back == flt and problems == []
    back, problems = ExplorerFilter.from_query_params({"age": "old", "text": "x"})
    assert back.text == "x" and back.age is None and "age" in problems[0]
