"""A phrase a reviewer marked private is checked in drafts as that phrase, not taken apart as if it were a name."""

from __future__ import annotations

from core.case_privacy import set_private_phrases
from core.db import session_scope
from core.drafting.checking import check_sections
from tests.support.flow import make_case


def _personal_data_check(team, sentence: str) -> dict:
    case_id = make_case(team.reviewer)
    set_private_phrases(team.reviewer, case_id, ["Little Oak Nursery"])
    with session_scope() as s:
        results = check_sections(s, case_id, None, {"summary": sentence})
    return next(r for r in results if r["name"] == "no_personal_data")


def test_a_word_of_a_private_phrase_alone_is_no_personal_data(team) -> None:
    assert _personal_data_check(team, "She may feel a little tired at the nursery after each infusion.")["passed"]


def test_the_private_phrase_itself_is_flagged_as_marked_private(team) -> None:
    result = _personal_data_check(team, "She goes to Little Oak Nursery on weekdays.")
    assert not result["passed"] and "marked private" in str(result["findings"])
