"""The written clinical scenario suite (tests/data/scenarios.yaml) passes through the product's matching."""

from __future__ import annotations

from functools import lru_cache

import pytest

from core.catalogue.demo_data import TRIALS_DIR
from core.data_files import DataFileError
from core.evaluation.scenarios import (
    build_catalogue_index,
    load_catalogue,
    load_suite,
    match_case_facts,
    run_suite,
)
from tests.support.paths import REPO_ROOT, SHARED_DATA

SUITE = REPO_ROOT / "tests" / "data" / "scenarios.yaml"
RECORDS = SHARED_DATA / "records"
pytestmark = pytest.mark.skipif(not RECORDS.is_dir(), reason="needs shared/data/records beside the repo")


@lru_cache(maxsize=1)
def _catalogue():
    trials = load_catalogue(TRIALS_DIR, RECORDS, records_open=True)
    return trials, build_catalogue_index(trials)


def test_the_suite_covers_every_area_with_at_least_thirty_cases():
    trials, _ = _catalogue()
    suite = load_suite(SUITE, trials).value
    areas = {s.area for s in suite.scenarios}
    assert len(suite.scenarios) >= 30
    assert {"leukaemia", "lymphoma", "solid tumour", "genetic disease"} <= areas
    assert all(s.top5 or s.not_likely_eligible for s in suite.scenarios)


def test_every_scenario_passes():
    trials, index = _catalogue()
    results = run_suite(load_suite(SUITE, trials).value, trials, index)
    failures = [f"{r.id}: {'; '.join(r.failures)}" for r in results if not r.passed]
    assert not failures, "\n".join(failures)


def test_every_scenario_passes_as_free_text_too():
    # the case typed in as its summary alone, read by the extractor: the same trials must come out
    trials, index = _catalogue()
    results = run_suite(load_suite(SUITE, trials).value, trials, index, free_text=True)
    failures = [f"{r.id}: {'; '.join(r.failures)}" for r in results if not r.passed]
    assert not failures, "\n".join(failures)


def test_the_t_all_case_rules_out_b_all_trials_and_decides_the_transplant_criterion():
    trials, index = _catalogue()
    suite = load_suite(SUITE, trials).value
    case = next(s for s in suite.scenarios if s.id == "t-all-relapse-after-allograft")
    rows = {r["registry_id"]: r for r in match_case_facts(case.case, trials, index)}
    for rid in ("DEMO-0010", "DEMO-0011", "DEMO-0012", "DEMO-0013", "DEMO-0015", "DEMO-0031"):
        main = rows[rid]["verdicts"][0]
        assert main.verdict == "not included" and "B-cell acute lymphoblastic leukaemia" in main.explanation
        assert rows[rid]["eligibility"] == "likely not eligible"
    transplant = next(v for v in rows["DEMO-0006"]["verdicts"] if v.criterion_text == "Prior allogeneic HSCT")
    assert transplant.verdict == "excluded" and "allogeneic stem cell transplant" in transplant.explanation


def test_a_scenario_naming_an_unknown_trial_is_refused_with_file_and_line(tmp_path):
    trials, _ = _catalogue()
    broken = tmp_path / "scenarios.yaml"
    broken.write_text(
        "scenarios:\n"
        "  - id: one\n"
        "    area: other\n"
        "    title: a case\n"
        "    case: {diagnosis: asthma, summary: A girl with asthma.}\n"
        "    top5: [DEMO-9999]\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match=r"scenarios\.yaml:6: scenarios\.0\.top5\.0: no trial 'DEMO-9999'"):
        load_suite(broken, trials)
