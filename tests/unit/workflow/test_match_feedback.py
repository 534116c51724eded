"""Product matching runs the rank-pools ranker: relevance feedback reads stored trial texts."""

from __future__ import annotations

from core.db import session_scope
from core.matching.service import list_matches, match_case, stored_search_texts
from tests.support.flow import add_trials, make_case, make_trial


def test_stored_search_texts_reads_the_indexed_text_and_is_empty_for_unknown_ids(team):
    add_trials(make_trial("NCT07100001"))
    with session_scope() as s:
        texts = stored_search_texts(s, ["NCT07100001", "NCT07199999"])
        assert list(texts) == ["NCT07100001"] and "CD7 CAR-T" in texts["NCT07100001"]
        assert stored_search_texts(s, []) == {}


def test_matching_ranks_the_fitting_trial_first_through_the_shared_ranker(team):
    add_trials(
        make_trial("NCT07100002"),
        make_trial(
            "NCT07100003",
            brief_title="Knee replacement rehabilitation",
            brief_summary="Exercise after knee replacement surgery.",
            conditions=["Osteoarthritis, Knee"],
        ),
    )
    case_id = make_case(team.reviewer)
    match_case(case_id)
    ranked = [m.registry_id for m in list_matches(team.reviewer, case_id)]
    assert ranked[0] == "NCT07100002"  # the T-ALL trial for the T-ALL case
