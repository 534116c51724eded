"""Written clinical scenarios run through the product's matching, for the scenario benchmark and its test.

Evaluation-only: nothing in the product imports it. Each scenario is a case, the trials that must be among
its first five, the trials that must not come out "likely eligible", and optionally single verdicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.catalogue.sources import iter_import_items
from core.data_files import DataFileError, LoadedFile, load_yaml
from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial
from core.domain.verdicts import VerdictLabel
from core.matching.extract import extract_case_facts
from core.matching.ranker import rank_candidates
from core.matching.retrieval import RetrievalIndex, build_index
from core.matching.service import RETRIEVE_K, assess_candidates

TOP = 5
ASSESSED = 50  # the product's default match_top_k


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VerdictExpectation(_Strict):
    """One criterion of one trial (found by a piece of its text) and the verdict it must get."""

    trial: str
    criterion: str = Field(min_length=3)
    verdict: VerdictLabel


class Scenario(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    area: str = Field(pattern=r"^(leukaemia|lymphoma|myeloma|solid tumour|genetic disease|other)$")
    title: str
    case: CaseFacts
    top5: list[str] = Field(default_factory=list)
    not_likely_eligible: list[str] = Field(default_factory=list)
    verdicts: list[VerdictExpectation] = Field(default_factory=list)

    @field_validator("case")
    @classmethod
    def _has_summary(cls, case: CaseFacts) -> CaseFacts:
        if not case.summary.strip():
            raise ValueError("a scenario's case needs a summary")
        return case


class ScenarioSuite(_Strict):
    # The shared real records were registered years ago and are mostly closed; the suite tests clinical
    # matching, not the status filter, so with this set they are taken as open.
    records_open: bool = True
    scenarios: list[Scenario] = Field(min_length=1)


class ScenarioResult(BaseModel):
    """What happened to one scenario: passed or not, why not, and its first trials."""

    id: str
    area: str
    title: str
    passed: bool
    failures: list[str]
    top: list[tuple[str, str]]  # (registry id, eligibility) of the first trials


def load_suite(path: Path, known_trials: Iterable[str]) -> LoadedFile[ScenarioSuite]:
    """Read and validate a scenario file; an unknown trial id or a repeated scenario id names its line."""
    loaded = load_yaml(path, ScenarioSuite)
    known = set(known_trials)
    seen: set[str] = set()
    for n, scenario in enumerate(loaded.value.scenarios):
        if scenario.id in seen:
            raise loaded.error(("scenarios", n, "id"), f"scenario id {scenario.id!r} is used twice")
        seen.add(scenario.id)
        for field in ("top5", "not_likely_eligible"):
            for k, rid in enumerate(getattr(scenario, field)):
                if rid not in known:
                    raise loaded.error(("scenarios", n, field, k), f"no trial {rid!r} in the catalogue")
        for k, expectation in enumerate(scenario.verdicts):
            if expectation.trial not in known:
                raise loaded.error(("scenarios", n, "verdicts", k, "trial"), f"no trial {expectation.trial!r}")
    return loaded


def load_catalogue(demo: Path, records: Path | None, *, records_open: bool) -> dict[str, NormalizedTrial]:
    """The demo trials and, when given, the shared real records (taken as open with `records_open`)."""
    trials: dict[str, NormalizedTrial] = {}
    for folder, reopen in ((demo, False), (records, records_open)):
        if folder is None:
            continue
        for item in iter_import_items([folder]):
            record = item.record
            if not isinstance(record, NormalizedTrial):
                continue
            if reopen:
                record = record.model_copy(
                    update={"overall_status": "RECRUITING", "sites": [s.model_copy(update={"status": None}) for s in record.sites]}
                )
            trials[record.registry_id] = record
    return trials


def build_catalogue_index(trials: dict[str, NormalizedTrial]) -> RetrievalIndex:
    """The retrieval index over the catalogue, on the same text the product indexes."""
    return build_index((rid, trial.search_text()) for rid, trial in sorted(trials.items()))


def match_case_facts(
    facts: CaseFacts, trials: dict[str, NormalizedTrial], index: RetrievalIndex
) -> list[dict[str, Any]]:
    """Rank and assess the catalogue for one case the way match_case does, without a database."""
    texts = {rid: trial.search_text() for rid, trial in trials.items()}
    ranked = rank_candidates(
        index, facts.summary, facts=facts, k=RETRIEVE_K, doc_texts=lambda ids: {i: texts[i] for i in ids if i in texts}
    )
    candidates = [(r.doc_id, r.score, 0, trials[r.doc_id]) for r in ranked if r.doc_id in trials]
    return assess_candidates(facts, candidates, top_k=ASSESSED)


def check_scenario(scenario: Scenario, rows: Sequence[dict[str, Any]]) -> list[str]:
    """What the ranked rows get wrong for a scenario (empty when it passes)."""
    failures: list[str] = []
    first = [r["registry_id"] for r in rows[:TOP]]
    for rid in scenario.top5:
        if rid not in first:
            where = next((i + 1 for i, r in enumerate(rows) if r["registry_id"] == rid), None)
            failures.append(f"{rid} should be in the first {TOP}; it is {'not listed' if where is None else f'#{where}'}")
    by_id = {r["registry_id"]: r for r in rows}
    for rid in scenario.not_likely_eligible:
        if rid in by_id and by_id[rid]["eligibility"] == "likely eligible":
            failures.append(f"{rid} should not be likely eligible")
    for expectation in scenario.verdicts:
        row = by_id.get(expectation.trial)
        verdicts = [v for v in (row or {}).get("verdicts", []) if expectation.criterion.lower() in v.criterion_text.lower()]
        if not verdicts:
            failures.append(f"{expectation.trial}: no assessed criterion contains {expectation.criterion!r}")
        elif verdicts[0].verdict != expectation.verdict:
            failures.append(
                f"{expectation.trial}: {expectation.criterion!r} is {verdicts[0].verdict!r}, should be "
                f"{expectation.verdict!r} ({verdicts[0].explanation})"
            )
    return failures


def run_suite(
    suite: ScenarioSuite,
    trials: dict[str, NormalizedTrial],
    index: RetrievalIndex | None = None,
    *,
    free_text: bool = False,
) -> list[ScenarioResult]:
    """Run every scenario; one result each. With `free_text`, each case is only its summary, read by the
    extractor (as a case typed in as text), instead of the structured facts."""
    index = index or build_catalogue_index(trials)
    results = []
    for scenario in suite.scenarios:
        facts = extract_case_facts(scenario.case.summary) if free_text else scenario.case
        rows = match_case_facts(facts, trials, index)
        failures = check_scenario(scenario, rows)
        results.append(
            ScenarioResult(
                id=scenario.id, area=scenario.area, title=scenario.title, passed=not failures, failures=failures,
                top=[(r["registry_id"], r["eligibility"]) for r in rows[:TOP]],
            )
        )
    return results


__all__ = ["DataFileError", "Scenario", "ScenarioResult", "ScenarioSuite", "load_catalogue", "load_suite", "run_suite"]
