"""Limits stated in criterion text: age ranges, sex, and performance-status thresholds."""

from __future__ import annotations

import re

from core.domain.ages import age_fits

# ----------------------------------------------------------------------------------------------
# Ages


_AGE_UNIT = r"(years?|yrs?|y|months?|mos?|weeks?|days?)"
_N = r"(\d+(?:\.\d+)?)"
_CMP_LOWER = r"(?:≥|>=|=>|>|over|older than|greater than|above|at least|minimum(?: age)?(?: of)?|aged? (?:of )?at least|from)"
_CMP_UPPER = r"(?:≤|<=|=<|<|under|younger than|less than|below|up to|maximum(?: age)?(?: of)?|not older than|no older than)"
AGE_WORD = re.compile(
    r"\b(age[sd]?|old|older|younger|adults?|children|child|infants?|years of age|yo|minors?)\b", re.I
)
AGE_RANGE = re.compile(
    r"(?:between\s+)?" + _N + r"\s*" + _AGE_UNIT + r"?\s*(?:-|–|to|and|until)\s*" + _N + r"\s*" + _AGE_UNIT,
    re.I,
)
AGE_LOWER = re.compile(_CMP_LOWER + r"\s*(?:the age of\s*|age\s*)?" + _N + r"\s*" + _AGE_UNIT + r"?", re.I)
AGE_UPPER = re.compile(_CMP_UPPER + r"\s*(?:the age of\s*|age\s*)?" + _N + r"\s*" + _AGE_UNIT + r"?", re.I)
AGE_OR_OLDER = re.compile(
    _N
    + r"\s*"
    + _AGE_UNIT
    + r"?\s*(?:of age|old|of age or|old or|and|or)?\s*(?:or |and )?(?:older|over|above|more|\+)",
    re.I,
)
AGE_OR_YOUNGER = re.compile(
    _N + r"\s*" + _AGE_UNIT + r"?\s*(?:of age|old)?\s*(?:or |and )(?:younger|under|less|below)", re.I
)
# Time spans that look like ages but are not ("within 6 months", "for at least 24 hours").
NOT_AGE_CONTEXT = re.compile(
    r"\b(within|for|since|ago|duration|during|prior|before|after|last|past|previous|hours?|weeks? of|history|"
    r"months? of|follow|kg|mg|mmhg|bmi|score|gcs|percentile|weight|days? of|gestation\w*|pregnan\w*|wt)\b",
    re.I,
)


def _unit_years(unit: str | None) -> float:
    u = (unit or "y").lower()
    if u.startswith("mo"):
        return 1 / 12
    if u.startswith("w"):
        return 7 / 365.25
    if u.startswith("d"):
        return 1 / 365.25
    return 1.0


def _near_age_word(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - 25) : end + 25]
    window = re.sub(r"gestational age|age group", " ", window, flags=re.I)
    return bool(AGE_WORD.search(window))


def _plausible_age_match(text: str, m: re.Match[str], unit: str | None) -> bool:
    before = text[max(0, m.start() - 25) : m.start()]
    if NOT_AGE_CONTEXT.search(before.split(",")[-1]) and not re.search(r"\bage", before, re.I):
        return False
    after = text[m.end() : m.end() + 12]
    if re.match(
        r"\s*(?:%|kg|mg|g\b|cm|mm|/|per|hours?|h\b|times|th\b|st\b|nd\b|rd\b|percentile|x\b|×|uln|upper limit)", after, re.I
    ):
        return False
    # "Within 6 months", "less than 1 month ago": short spans are durations unless an age word is near.
    if unit and unit.lower()[0] == "y" and not re.match(r"\s*ago\b", after, re.I):
        return True
    return _near_age_word(text, m.start(), m.end())


def parse_age_limits(text: str) -> tuple[float | None, float | None] | None:
    """Age limits (years) stated in a criterion, or None when it states none."""
    lo: float | None = None
    hi: float | None = None
    found = False
    for m in AGE_RANGE.finditer(text):
        u1, u2 = m.group(2), m.group(4)
        if not (u2 and u2.lower()[0] in "ym") or not _plausible_age_match(text, m, u2):
            continue
        a = float(m.group(1)) * _unit_years(u1 or u2)
        b = float(m.group(3)) * _unit_years(u2)
        if a <= b <= 125:
            return a, b
    for m in AGE_LOWER.finditer(text):
        if _plausible_age_match(text, m, m.group(2)) and float(m.group(1)) <= 125:
            # "Over 18": a note's "18-year-old" is already past the 18th birthday, so >= is right.
            lo, found = float(m.group(1)) * _unit_years(m.group(2)), True
            break
    if lo is None:
        for m in AGE_OR_OLDER.finditer(text):
            if _plausible_age_match(text, m, m.group(2)) and float(m.group(1)) <= 125:
                lo, found = float(m.group(1)) * _unit_years(m.group(2)), True
                break
    for m in AGE_UPPER.finditer(text):
        if _plausible_age_match(text, m, m.group(2)) and float(m.group(1)) <= 125:
            value = float(m.group(1)) * _unit_years(m.group(2))
            # "Under 18" in whole years is "up to 17" (and 17.9 still counts as 17).
            strict = (
                re.match(r"\s*(?:<|under|younger than|less than|below)(?!=)", m.group(0), re.I) is not None
            )
            hi, found = (value - (1.0 if strict and value >= 1 else 0.0)), True
            break
    if hi is None:
        for m in AGE_OR_YOUNGER.finditer(text):
            if _plausible_age_match(text, m, m.group(2)) and float(m.group(1)) <= 125:
                hi, found = float(m.group(1)) * _unit_years(m.group(2)), True
                break
    if lo is not None and hi is not None and lo > hi:
        # "Karnofsky (age >= 16) or Lansky (age < 16)": alternatives that pick a scale, not age limits.
        return None
    return (lo, hi) if found else None


def age_within(age: float, lo: float | None, hi: float | None) -> bool:
    """True when an age in years lies within limits from parse_age_limits (the one rule of core/domain/ages.py)."""
    return age_fits(age, lo, hi) is not False


# ----------------------------------------------------------------------------------------------
# Sex

FEMALE_C = re.compile(r"\b(females?|wom[ae]n|girls?|ladies|postmenopausal|premenopausal)\b", re.I)
MALE_C = re.compile(r"\b(males?|m[ae]n|boys?)\b", re.I)
BOTH_SEXES = re.compile(
    r"\b(both (?:sexes|genders)|either sex|any sex|all sexes|male(?:s)? (?:and|or|&) (?:non[\s-]?pregnant )?female|female(?:s)? (?:and|or|&) male|men (?:and|or) women|women (?:and|or) men)",
    re.I,
)


def parse_sex_requirement(text: str) -> str | None:
    """'female', 'male', 'any' or None when the criterion says nothing about sex."""
    if BOTH_SEXES.search(text):
        return "any"
    f, m = bool(FEMALE_C.search(text)), bool(MALE_C.search(text))
    if f and m:
        return "any"
    if f:
        return "female"
    if m:
        return "male"
    return None


# ----------------------------------------------------------------------------------------------
# Performance status

PS_SCALE_K = re.compile(r"\b(karnofsky|kps|lansky)\b", re.I)
PS_SCALE_E = re.compile(r"\b(ecog|zubrod|who performance|performance status|\bps\b)", re.I)
ECOG_TO_K: dict[int, tuple[int, ...]] = {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20)}
PS_NUMBER = re.compile(r"(?<![\d.])(\d{1,3})(?:\s*%)?(?![\d.])")


def parse_performance_limits(text: str, scale: str) -> set[int] | None:
    """The performance values a criterion accepts, on its own scale (ECOG 0-4, Karnofsky 0-100)."""
    values = list(range(0, 5)) if scale == "E" else list(range(0, 101, 10))
    top = 4 if scale == "E" else 100
    # "(age >= 16 years)" says which scale applies, not a score: drop age clauses before reading numbers.
    text = re.sub(r"\(?\s*(?:age\s*)?(?:≤|<=|<|≥|>=|>)?\s*\d+\s*(?:years?|yrs?|months?)(?:\s*(?:of age|old))?\s*\)?", " ", text, flags=re.I)
    m = re.search(r"(≤|<=|=<|<|≥|>=|=>|>|less than|lower than|greater than|more than|at least|above|below|"
                  r"or less|or lower|or better|or higher|or greater|or more)", text, re.I)  # fmt: skip
    nums = [int(n) for n in PS_NUMBER.findall(text) if int(n) <= top]
    if not nums:
        return None
    rng = re.search(r"(\d{1,3})\s*%?\s*(?:-|–|to)\s*(\d{1,3})", text)
    if rng and int(rng.group(2)) <= top:
        a, b = sorted((int(rng.group(1)), int(rng.group(2))))
        return {v for v in values if a <= v <= b}
    if m:
        op = m.group(1).lower()
        n = nums[-1] if op.startswith("or ") else nums[0]
        if op in ("≤", "<=", "=<", "or less", "or lower") or (op == "or better" and scale == "E"):
            return {v for v in values if v <= n}
        if op in ("<", "less than", "lower than", "below"):
            return {v for v in values if v < n}
        if op in ("≥", ">=", "=>", "at least", "or higher", "or greater", "or more") or (
            op == "or better" and scale == "K"
        ):
            return {v for v in values if v >= n}
        return {v for v in values if v > n}
    return set(nums)
