"""bench/bench_criteria.py: its cross-validation chooses something real per fold, and the bench can fail."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

from core.domain.case_facts import CaseFacts
from core.matching.criteria_rules import assess_criterion
from tests.support.paths import REPO_ROOT, SHARED_DATA


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_criteria", REPO_ROOT / "bench" / "bench_criteria.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _row(i: int, kind: str, expert: str) -> dict:
    return {"annotation_id": i, "patient_id": f"p{i}", "criterion_type": kind, "expert_eligibility": expert}


def test_the_silent_label_is_chosen_from_the_training_rows() -> None:
    bench = _bench()
    rows = [_row(1, "inclusion", "included"), _row(2, "inclusion", "included"), _row(3, "inclusion", "not included"),
            _row(4, "exclusion", "excluded"), _row(5, "exclusion", "not excluded")]  # fmt: skip
    fixed = {r["annotation_id"]: "not enough information" for r in rows}
    # rows 1-4 are silent (no rule settled them); row 5 was settled by a rule and does not count
    choice = bench.choose_silent_labels(rows, fixed, {1, 2, 3, 4})
    assert choice == {"inclusion": "included", "exclusion": "excluded"}


@pytest.mark.skipif(not (SHARED_DATA / "criteria" / "annotations.jsonl").is_file(), reason="needs shared/data/criteria")
def test_the_bench_fails_below_its_floor(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    bench = _bench()
    monkeypatch.setattr(bench, "ACCURACY_FLOOR", 0.99)
    assert bench.main([]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_what_happens_during_a_study_is_left_to_the_usual_rules() -> None:
    # the dev-fitted "study conduct" rule is gone (it helped only the even half of the dev patients)
    verdict = assess_criterion("Failure to provide a blood sample", "exclusion", ["A 40-year-old man."], CaseFacts())
    assert verdict.verdict == "not excluded"
