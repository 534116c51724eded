"""The compare page: an admin runs a comparison and reads it side by side; a reviewer judges blind; an analyst reads."""

from __future__ import annotations

import time

from core.jobs.runner import run_job
from core.jobs.store import get_job
from core.prompt_lab.comparisons import ComparisonRequest, ItemRef, SideSpec, get_comparison
from core.prompting.store import seed_prompts
from core.workflow.comparisons import start_comparison
from tests.app.conftest import page, shown
from tests.support.flow import case_with_drafts


def _wait_for(job_id: int) -> None:
    """The page's job may run on a thread (the app's policy): wait for it to end."""
    for _ in range(300):
        if get_job(job_id).finished:
            return
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_admin_starts_a_comparison_and_sees_progress_and_results(team):
    seed_prompts()
    case_with_drafts(team.reviewer, n_trials=2)
    at = page("pages/compare.py", team.admin).run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["New comparison", "Judge blind", "Results"]
    at.text_input(key="cmp-right-m").input("other-model").run()
    assert len(at.multiselect(key="cmp-items-trial_summary").value) == 2
    at.button(key="cmp-start").click().run()
    assert not at.exception and not at.error
    comparison_id = at.session_state["cmp-id"]
    _wait_for(at.session_state["cmp-job"])
    at.run()
    assert get_comparison(team.admin, comparison_id).aggregates[0].done == 2
    assert any("Preferred v1 · other-model" in shown(m.label) for m in at.metric)
    assert any("1. C-" in shown(e.label) for e in at.expander)
    assert any("offline drafter" in i.value for i in at.info)


def test_bad_input_is_refused_with_a_message(team):
    seed_prompts()
    case_with_drafts(team.reviewer)
    at = page("pages/compare.py", team.admin).run()
    # one version so far and no model named: both sides are the same, said before anything is started
    assert any("The two sides are the same" in w.value for w in at.warning)
    assert at.button(key="cmp-start").disabled
    at.text_input(key="cmp-right-m").input("other-model").run()
    assert not at.warning and not at.button(key="cmp-start").disabled


def test_reviewer_judges_blind_and_analyst_reads_the_tally(team):
    seed_prompts()
    case_id, _ = case_with_drafts(team.reviewer)
    from core.matching.service import list_matches

    trial_id = next(m.trial_id for m in list_matches(team.reviewer, case_id) if m.status == "selected")
    started = start_comparison(team.admin, ComparisonRequest(
        prompt_name="trial_summary", left=SideSpec(version=1), right=SideSpec(version=1, model="m2"),
        items=[ItemRef(case_id=case_id, trial_id=trial_id)],
    ))
    run_job(started.job_id)
    at = page("pages/compare.py", team.reviewer).run()
    assert not at.exception and [t.label for t in at.tabs] == ["Judge blind"]
    assert [s.value for s in at.subheader] == ["A", "B"]
    assert not any("m2" in m.value for m in at.markdown)  # nothing says which model wrote A or B
    item_id = get_comparison(team.admin, started.comparison_id).items[0].item_id
    at.radio(key=f"cmp-choice-{item_id}").set_value("equal").run()
    at.button(key=f"cmp-judge-{item_id}").click().run()
    assert not at.error
    assert get_comparison(team.admin, started.comparison_id).tally == {"left": 0, "right": 0, "equal": 1}
    ana = page("pages/compare.py", team.analyst).run()
    assert not ana.exception and [t.label for t in ana.tabs] == ["Results"]
    assert any(m.label == "Judged equal" and m.value == "1" for m in ana.metric)
