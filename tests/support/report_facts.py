"""Check one option of a released report against a fact checklist written from its trial record."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from core.nlp.sentences import split_sentences
from core.reports.compose import ReportOption

FACTS_DIR = Path(__file__).resolve().parents[1] / "data" / "report_facts"


class Procedure(BaseModel):
    model_config = ConfigDict(extra="forbid")
    words: str
    source: Literal["donor", "own"] | None = None
    timing: str | None = None


class Threshold(BaseModel):
    model_config = ConfigDict(extra="forbid")
    marker: str
    value: str
    required: bool = False


class TrialFacts(BaseModel):
    """What a report must say about a trial, from its record (tests/data/report_facts/<id>.yaml)."""

    model_config = ConfigDict(extra="forbid")
    registry_id: str
    programme: bool
    tests: list[str]
    conditioning: list[str] = []
    given_with: list[str] = []
    compared_with: list[str] = []
    product_source: Literal["donor", "own"] | None = None
    procedures: list[Procedure] = []
    kind: str | None = None
    given: str | None = None
    randomised: bool = False
    phase: str
    ages: tuple[float | None, float | None]
    record_updated: str
    thresholds: list[Threshold] = []


class Problem(BaseModel):
    kind: Literal["error", "omission"]
    fact: str
    detail: str


def load_facts(registry_id: str) -> TrialFacts:
    path = FACTS_DIR / f"{registry_id}.yaml"
    return TrialFacts.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def _years(value: float) -> str:
    return f"{value:g}"


def _has(text: str, words: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(words)}(?![\w-])", text, re.IGNORECASE) is not None


def check_option(option: ReportOption, facts: TrialFacts) -> list[Problem]:
    """Every error (a wrong fact) and omission (a missing one) of a report's option against its checklist."""
    problems: list[Problem] = []

    def need(ok: bool, fact: str, detail: str, kind: Literal["error", "omission"] = "omission") -> None:
        if not ok:
            problems.append(Problem(kind=kind, fact=fact, detail=detail))

    body = " ".join(p for part in option.parts for p in part.paragraphs)
    sentences = split_sentences(body)
    tested_sentences = [s for s in sentences if re.search(r"\b(?:is testing|offers|compares it)\b", s)]
    lead = option.what_it_is
    for name in facts.tests:
        need(_has(lead, name), "tests", f"the table's 'what it is' does not name {name}: {lead!r}")
    others = facts.conditioning + facts.given_with + facts.compared_with
    for name in others:
        need(_has(body, name), "other treatments", f"{name} is not mentioned")
        wrong = [s for s in tested_sentences if _has(s, name) and "compares it" not in s] + (
            [lead] if _has(lead, name) else []
        )
        need(not wrong, "tests", f"{name} is described as what is tested: {wrong}", "error")
    roles = (
        (facts.conditioning, r"\bBefore\b|prepare", "conditioning", "said to prepare the body"),
        (facts.given_with, r"together with", "given with", "said to be given together with it"),
        (facts.compared_with, r"compares it", "comparator", "said to be what it is compared with"),
    )
    for names, wording, fact, what in roles:
        for name in names:
            said = [s for s in sentences if _has(s, name)]
            need(any(re.search(wording, s) for s in said), fact, f"{name} not {what}")
    if facts.randomised:
        need("by chance" in body, "randomised", "the report does not say groups are chosen by chance")
    own, donor = "patient's own" in body, re.search(r"\bfrom a donor\b|come from a donor", body) is not None
    if facts.product_source == "donor":
        need(donor, "product source", "the report does not say the cells come from a donor")
        need(not re.search(r"cells are the patient's own|made from the patient's own", body), "product source",
             "the report says the patient's own cells", "error")  # fmt: skip
    elif facts.product_source == "own":
        need(own, "product source", "the report does not say the cells are the patient's own")
        need(
            not re.search(r"cells come from a donor", body),
            "product source",
            "the report says a donor's cells",
            "error",
        )
    for procedure in facts.procedures:
        said = [s for s in sentences if _has(s, procedure.words)]
        need(bool(said), "procedures", f"{procedure.words} is not mentioned")
        if procedure.source == "donor":
            need(
                any("donor" in s for s in said),
                "procedures",
                f"{procedure.words}: the donor is not mentioned",
            )
        if procedure.timing:
            need(
                any(procedure.timing in s for s in said),
                "procedures",
                f"{procedure.words}: timing {procedure.timing} missing",
            )
    if facts.kind:
        need(_has(body, facts.kind), "kind", f"the report does not say it is a {facts.kind}")
    if facts.given:
        need(facts.given in body, "how it is given", f"the report does not say it is given {facts.given}")
    need(
        option.phase == facts.phase,
        "phase",
        f"the table says {option.phase!r}, the record {facts.phase!r}",
        "error",
    )
    record_phase = facts.phase.removeprefix("Phase ").lower()
    for said in re.findall(r"\bphase (\d(?:/\d)?)\b", body, re.IGNORECASE):
        need(said == record_phase, "phase", f"the text says phase {said}", "error")
    titles = [p.title for p in option.parts]
    if facts.programme:
        need(
            "What the study is testing" not in titles,
            "programme",
            "a programme is headed as a study",
            "error",
        )
        need(
            bool(re.search(r"\bnot a study\b", body)),
            "programme",
            "the report does not say it is not a study",
        )
    lo, hi = facts.ages
    if lo is not None and hi is not None:
        need(f"aged {_years(lo)} to {_years(hi)} years" in body, "ages", f"ages {lo:g} to {hi:g} not stated")
    elif lo is not None:
        unit = "year" if lo == 1 else "years"
        need(f"aged {_years(lo)} {unit} or older" in body, "ages", f"minimum age {lo:g} not stated")
    need(not re.search(r"\b1 years\b", body), "ages", "'1 years'", "error")
    need(
        option.record_updated == facts.record_updated, "registry date", f"{option.record_updated!r}", "error"
    )
    for threshold in facts.thresholds:
        said = [s for s in sentences if threshold.marker in s and "%" in s and "case notes" not in s]
        for s in said:
            need(threshold.value in s, "thresholds", f"{threshold.marker} level said as {s!r}", "error")
        if threshold.required:
            need(
                bool(said), "thresholds", f"the {threshold.marker} threshold {threshold.value} is not stated"
            )
    return problems
