"""Key facts a draft states about a trial, checked against the record: where a cell product comes from, what
is tested (not the conditioning drugs), who may join by age, and which city is in which country.

The phrases are data (knowledge/key_facts.yaml); each finding names the fact and why it disagrees.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from core.data_files import RegexPattern, load_yaml
from core.domain.case_facts import CaseFacts
from core.domain.trial import NormalizedTrial

KEY_FACTS_FILE = Path(__file__).resolve().parent / "knowledge" / "key_facts.yaml"
ADULT_AGE = 18.0


class SourceRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    claims: RegexPattern
    record: RegexPattern


class KeyFactRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    product_sources: dict[str, SourceRule]
    conditioning_words: RegexPattern
    conditioning_with_cell_therapy: tuple[str, ...]
    cell_therapy_words: RegexPattern
    tested_claims: tuple[RegexPattern, ...]
    age_claims: tuple[RegexPattern, ...]


def load_key_fact_rules(path: Path = KEY_FACTS_FILE) -> KeyFactRules:
    """Parse and validate the rule file; a broken one raises DataFileError naming the file and the line."""
    return load_yaml(path, KeyFactRules).value


@cache
def _rules() -> KeyFactRules:
    return load_key_fact_rules()


def _i(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


class KeyFactFinding(BaseModel):
    token: str
    why: str


class TrialKeyFacts(BaseModel):
    """What the record says on the key facts, read once per trial."""

    sources: set[str]
    conditioning: set[str]  # lower-cased names (and other names) of preparation or support interventions
    sites: set[tuple[str, str]]  # (city, country), lower case
    countries: set[str]
    min_age: float | None
    max_age: float | None


_PRIOR = re.compile(r"(?:prior|previous|previously|after|relapsed after|following|unlike|no|not|without|instead of)\W+(?:\w+\W+){0,3}$", re.IGNORECASE)


def _product_sources(trial: NormalizedTrial, rules: KeyFactRules) -> set[str]:
    """Sources the record gives for its product: the product's own description first, then titles and summaries.

    Mentions after "prior", "after", "no" ... ("relapsed after autologous CAR-T", "no donor needed") do not count.
    """
    cell_words = _i(rules.cell_therapy_words)
    products = [i for i in trial.interventions if (i.type or "").upper() in ("BIOLOGICAL", "GENETIC")
                and cell_words.search(f"{i.name} {i.description or ''}")]
    scopes = [" ".join(f"{i.name} {i.description or ''} {' '.join(i.other_names)}" for i in products),
              " ".join(t or "" for t in (trial.brief_title, trial.official_title, trial.brief_summary, trial.detailed_description))]
    for scope in scopes:
        found = set()
        for name, rule in rules.product_sources.items():
            if any(not _PRIOR.search(scope[max(0, m.start() - 40) : m.start()]) for m in _i(rule.record).finditer(scope)):
                found.add(name)
        if found:
            return found
    return set()


def read_trial_key_facts(trial: NormalizedTrial) -> TrialKeyFacts:
    """The record's product source(s), conditioning interventions, sites and age limits."""
    rules = _rules()
    conditioning_words = _i(rules.conditioning_words)
    cell_words = _i(rules.cell_therapy_words)
    has_cell_product = any((i.type or "").upper() in ("BIOLOGICAL", "GENETIC") and cell_words.search(f"{i.name} {i.description or ''}")
                           for i in trial.interventions)
    conditioning: set[str] = set()
    texts = [trial.brief_summary or "", trial.detailed_description or ""]
    for intervention in trial.interventions:
        if (intervention.type or "").upper() in ("BIOLOGICAL", "GENETIC"):
            continue  # the product itself, even when its description mentions the conditioning before it
        names = [intervention.name, *intervention.other_names]
        described = conditioning_words.search(intervention.description or "")
        # "lymphodepletion with fludarabine, cyclophosphamide and alemtuzumab": named right after the word.
        near = any(
            re.search(rf"(?:{rules.conditioning_words})(?:(?!followed|then|before)[^.;]){{0,60}}\b{re.escape(n)}\b", t, re.IGNORECASE)
            for t in texts for n in names
        )
        known = has_cell_product and intervention.name.lower() in rules.conditioning_with_cell_therapy
        if described or near or known:
            conditioning |= {n.lower() for n in names}
    sites = {((s.city or "").lower(), (s.country or "").lower()) for s in trial.sites}
    return TrialKeyFacts(sources=_product_sources(trial, rules), conditioning=conditioning, sites=sites,
                         countries={c for _, c in sites if c}, min_age=trial.minimum_age_years,
                         max_age=trial.maximum_age_years)


_PER_YEAR = {"month": 12.0, "week": 365.25 / 7, "day": 365.25}


def _years(number: str | None, unit: str | None) -> float | None:
    """A claimed age in years ('6' + 'months' -> 0.5); no unit means years."""
    if not number:
        return None
    return float(number) / _PER_YEAR.get((unit or "year").lower().rstrip("s"), 1.0)


def _age_ok(claimed: float, allowed: set[float]) -> bool:
    return any(abs(claimed - a) < 0.01 for a in allowed)


def check_key_facts(sentence: str, facts: TrialKeyFacts, case: CaseFacts | None = None) -> list[KeyFactFinding]:
    """The key facts of one sentence that disagree with the record."""
    rules = _rules()
    findings: list[KeyFactFinding] = []
    for name, rule in rules.product_sources.items():
        m = _i(rule.claims).search(sentence)
        # "not from the patient" denies a source; only an affirmative claim is compared.
        if m and name not in facts.sources and facts.sources and not re.search(r"\bnot\s+(?:from\s+)?$", sentence[: m.start()]):
            others = " or ".join(sorted(facts.sources))
            findings.append(KeyFactFinding(token=m.group(0), why=f"The record describes the product as {others}, not {name}."))
    for pattern in rules.tested_claims:
        for m in _i(pattern).finditer(sentence):
            drug = m.group("drug").lower()
            if drug in facts.conditioning and not re.search(r"\bnot\b", sentence[m.end() :]):
                findings.append(KeyFactFinding(
                    token=m.group("drug"),
                    why="The record gives this drug to prepare the body or support treatment; it is not what the study tests.",
                ))
    case_age = {case.age_years} if case and case.age_years is not None else set()
    for pattern in rules.age_claims:
        for m in _i(pattern).finditer(sentence):
            groups = m.groupdict()
            low = ADULT_AGE if groups.get("adults") else _years(groups.get("low"), groups.get("low_unit"))
            high = _years(groups.get("high"), groups.get("high_unit"))
            if low is not None and facts.min_age is not None and not _age_ok(low, {facts.min_age} | case_age):
                findings.append(KeyFactFinding(token=m.group(0), why=f"The record's lowest age is {facts.min_age:g} years."))
            elif low is not None and facts.min_age is None and low > 0 and not _age_ok(low, case_age):
                findings.append(KeyFactFinding(token=m.group(0), why="The record gives no lowest age."))
            if high is not None and facts.max_age is not None and not _age_ok(high, {facts.max_age} | case_age):
                findings.append(KeyFactFinding(token=m.group(0), why=f"The record's highest age is {facts.max_age:g} years."))
            elif high is not None and facts.max_age is None and not _age_ok(high, case_age):
                findings.append(KeyFactFinding(token=m.group(0), why="The record gives no highest age."))
    cities = {c for c, _ in facts.sites if c}
    for m in re.finditer(r"\b([A-Z][\w'’.\-]*(?: (?:upon |am |de |la )?[A-Z][\w'’.\-]*){0,3}),\s+([A-Z]\w*(?: [A-Z]\w*){0,3})(?=[.;,)]|$)", sentence):
        city, country = m.group(1).strip().lower(), m.group(2).strip().lower()
        if city in cities and (city, country) not in facts.sites and country not in {c for c2, c in facts.sites if c2 == city}:
            where = ", ".join(sorted(c for c2, c in facts.sites if c2 == city))
            findings.append(KeyFactFinding(token=m.group(0), why=f"The record's site in this city is in {where}."))
    return findings
