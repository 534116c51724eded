"""Who a trial is for (age band, sex), from structured fields or its text, and how well a case fits."""

from __future__ import annotations

import re

from pydantic import BaseModel

from core.domain.trial import NormalizedTrial

ADULT_AGE = 18.0

_CHILD = re.compile(
    r"\b(?:child|children|childhood|paediatric|pediatric|kids?|infants?|infantile|toddlers?|neonat\w*|newborns?|"
    r"preterm|premature infants?|boys|girls|schoolchildren|adolescents?|youths?)\b",
    re.IGNORECASE,
)
_NEONATE = re.compile(r"\b(?:neonat\w*|newborns?|preterm|premature infants?|very low birth weight)\b", re.I)
_ADULT = re.compile(
    r"\b(?:adults?|elderly|older (?:people|persons|adults|patients)|aged? (?:over|above) \d\d|"
    r"postmenopausal|men|women|veterans)\b",
    re.I,
)
_FEMALE_ONLY = re.compile(
    r"\b(?:women|woman|female|females|girls|postmenopausal|premenopausal|menopaus\w*|pregnan\w*|mothers?|"
    r"maternal|ovar\w*|uter\w*|cervical cancer|endometri\w*|breast cancer|vagin\w*|obstetric\w*)\b",
    re.I,
)
_MALE_ONLY = re.compile(r"\b(?:men|male|males|boys|prostat\w*|testic\w*|erectile|fathers?)\b", re.I)
_AGE_RANGE = re.compile(
    r"\b(?:aged?|ages|between)\s+(\d{1,2})\s*(?:-|–|to|and)\s*(\d{1,3})(?:\s*years?)?\b", re.IGNORECASE
)
_MIN_AGE = re.compile(
    r"\b(\d{1,2})\s*years?(?: of age)?(?: old)? (?:or|and) (?:older|over|above)\b|"
    r"\b(?:over|above|older than|at least) (?:the age of )?(\d{1,2})(?: years)?\b",
    re.I,
)


class TrialPopulation(BaseModel):
    """The population a trial addresses, as far as can be told."""

    min_age: float | None = None
    max_age: float | None = None
    sex: str = "ALL"  # ALL, FEMALE, MALE
    children_only: bool = False
    adults_only: bool = False
    neonates_only: bool = False


def infer_population_from_text(text: str) -> TrialPopulation:
    """Guess the population from free text: explicit age ranges, then child/adult and sex cues."""
    pop = TrialPopulation()
    ranges = _AGE_RANGE.findall(text)
    plausible = [(float(lo), float(hi)) for lo, hi in ranges if float(lo) < float(hi) <= 120]
    if plausible:
        pop.min_age = min(lo for lo, _ in plausible)
        pop.max_age = max(hi for _, hi in plausible)
    else:
        mins = [float(a or b) for a, b in _MIN_AGE.findall(text) if (a or b)]
        if mins:
            pop.min_age = min(mins)
    child = len(_CHILD.findall(text))
    adult = len(_ADULT.findall(text))
    pop.children_only = child > 0 and adult == 0
    pop.adults_only = adult > 0 and child == 0
    pop.neonates_only = pop.children_only and bool(_NEONATE.search(text))
    female = len(_FEMALE_ONLY.findall(text))
    male = len(_MALE_ONLY.findall(text))
    if female and not male:
        pop.sex = "FEMALE"
    elif male and not female:
        pop.sex = "MALE"
    return pop


def population_of(trial: NormalizedTrial | str) -> TrialPopulation:
    """Population of a trial: structured age/sex fields when present, text cues otherwise."""
    if isinstance(trial, str):
        return infer_population_from_text(trial)
    text = trial.search_text()
    pop = infer_population_from_text(text)
    if trial.minimum_age_years is not None or trial.maximum_age_years is not None:
        pop.min_age = trial.minimum_age_years
        pop.max_age = trial.maximum_age_years
        pop.children_only = trial.maximum_age_years is not None and trial.maximum_age_years < ADULT_AGE
        pop.adults_only = trial.minimum_age_years is not None and trial.minimum_age_years >= ADULT_AGE
        pop.neonates_only = trial.maximum_age_years is not None and trial.maximum_age_years <= 1
    if trial.sex != "ALL":
        pop.sex = trial.sex
    return pop


def age_clashes(age_years: float, pop: TrialPopulation) -> bool:
    """True when the case's age is outside the trial's stated range or age band."""
    if pop.min_age is not None and age_years < pop.min_age:
        return True
    if pop.max_age is not None and age_years > pop.max_age:
        return True
    if pop.children_only and age_years >= ADULT_AGE:
        return True
    if pop.adults_only and age_years < ADULT_AGE:
        return True
    return pop.neonates_only and age_years > 1


def demographic_fit(age_years: float | None, sex: str, pop: TrialPopulation) -> float:
    """1.0 when nothing speaks against the case, down to 0.0 when age band and sex both clash."""
    fit = 1.0
    if age_years is not None and age_clashes(age_years, pop):
        fit -= 0.5
    if (sex == "male" and pop.sex == "FEMALE") or (sex == "female" and pop.sex == "MALE"):
        fit -= 0.5
    return fit
