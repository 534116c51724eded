"""Writes a grounding corpus: correct drafts of the demo trials and drafts with one planted factual error each.

The dev and held-out corpora share this structure and differ in their wording (a Phrasing each) and seed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.corpora.demo_facts import TrialFacts, load_trial_facts

CHECKS_DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "checks"
CASE_PLACES = [("Tucson, United States", "United States"), ("Leeds, United Kingdom", "United Kingdom"),
               ("Lyon, France", "France"), ("Calgary, Canada", "Canada"), ("Utrecht, Netherlands", "Netherlands")]
INVENTED = ["ponatinib", "ruxolitinib", "imatinib", "tisagenlecleucel", "obinutuzumab", "carfilzomib"]
OTHER_CITIES = {"United States": "Phoenix", "United Kingdom": "Cardiff", "France": "Bordeaux", "Germany": "Dresden",
                "Netherlands": "Groningen", "Canada": "Winnipeg", "Spain": "Seville", "Italy": "Turin",
                "Australia": "Adelaide", "Ireland": "Cork", "Japan": "Kyoto"}


@dataclass(frozen=True)
class Phrasing:
    """One corpus's sentences, as str.format templates (fields named in each)."""

    ages_both: str  # {lo} {hi}
    ages_min: str  # {lo}
    ages_max: str  # {hi}
    tested: str  # {product}
    tested_with: str  # {others}
    donor: str  # {product}
    own: str  # {product}
    conditioning: str  # {product} {drugs}
    conditioning_joiner: str
    programme: str
    phase: str  # {phase}
    enrollment: tuple[str, str]  # {n}, one per variant
    site: str  # {city} {country}
    another_site: str  # {city}
    patient_age: str  # {age}
    lives_in: str  # {country}
    wrong_own: str  # {product}
    wrong_donor: str  # {product}
    conditioning_tested: str  # {drug}
    adults_only: str
    wrong_max_age: str  # {lo} {hi}
    children_too: str
    wrong_enrollment: Callable[[int], int]
    invented_drug: str  # {drug}


def _ages(t: TrialFacts, p: Phrasing) -> str:
    lo = f"{t.min_age:g}" if t.min_age is not None else None
    hi = f"{t.max_age:g}" if t.max_age is not None else None
    if lo and hi:
        return p.ages_both.format(lo=lo, hi=hi)
    if lo:
        return p.ages_min.format(lo=lo)
    if hi:
        return p.ages_max.format(hi=hi)
    return "The record gives no age limits."


def correct_sections(t: TrialFacts, p: Phrasing, case_age: int, case_country: str, variant: int) -> dict[str, str]:
    product = t.tested[0]
    tested = [p.tested.format(product=product)]
    if len(t.tested) > 1:
        tested.append(p.tested_with.format(others=" and ".join(t.tested[1:])))
    if t.source == "donor":
        tested.append(p.donor.format(product=product))
    elif t.source == "autologous":
        tested.append(p.own.format(product=product))
    if t.conditioning:
        tested.append(p.conditioning.format(product=product, drugs=p.conditioning_joiner.join(t.conditioning)))
    involves = []
    if t.study_type == "EXPANDED_ACCESS":
        involves.append(p.programme)
    elif t.phase_text:
        involves.append(p.phase.format(phase=t.phase_text))
    if t.enrollment:
        involves.append(p.enrollment[variant].format(n=t.enrollment))
    city, country = t.sites[0]
    where = [p.site.format(city=city, country=country)]
    if len(t.sites) > 1 and variant == 1:
        where.append(p.another_site.format(city=t.sites[1][0]))
    fit = [_ages(t, p), p.patient_age.format(age=case_age), p.lives_in.format(country=case_country)]
    return {"what_is_tested": " ".join(tested), "why_it_may_fit": " ".join(fit),
            "what_taking_part_involves": " ".join(involves), "where_and_contact": " ".join(where)}


def planted_errors(t: TrialFacts, p: Phrasing, rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, section, wrong sentence) for every error kind this trial allows."""
    product = t.tested[0]
    errors: list[tuple[str, str, str]] = []
    if t.source == "donor":
        errors.append(("product_source", "what_is_tested", p.wrong_own.format(product=product)))
    elif t.source == "autologous":
        errors.append(("product_source", "what_is_tested", p.wrong_donor.format(product=product)))
    if t.conditioning:
        errors.append(("conditioning_as_tested", "what_is_tested", p.conditioning_tested.format(drug=rng.choice(t.conditioning))))
    if t.phase_text and t.study_type != "EXPANDED_ACCESS":
        wrong = "phase 3" if "3" not in t.phase_text else "phase 2"
        errors.append(("phase", "what_taking_part_involves", p.phase.format(phase=wrong)))
    if t.min_age is not None and t.min_age < 18:
        errors.append(("ages", "why_it_may_fit", p.adults_only))
    elif t.max_age is not None:
        errors.append(("ages", "why_it_may_fit", p.wrong_max_age.format(lo=f"{t.min_age or 0:g}", hi=f"{t.max_age + 6:g}")))
    else:
        errors.append(("ages", "why_it_may_fit", p.children_too))
    city, country = t.sites[0]
    errors.append(("site", "where_and_contact", p.site.format(city=OTHER_CITIES.get(country, "Oslo"), country=country)))
    wrong_countries = [c for c in OTHER_CITIES if c not in {s[1] for s in t.sites}]
    errors.append(("site_country", "where_and_contact", p.site.format(city=city, country=rng.choice(wrong_countries))))
    if t.enrollment:
        errors.append(("number", "what_taking_part_involves", p.enrollment[0].format(n=p.wrong_enrollment(t.enrollment))))
    drug = next(d for d in rng.sample(INVENTED, len(INVENTED)) if d not in t.record_text)
    errors.append(("invented_drug", "what_is_tested", p.invented_drug.format(drug=drug)))
    return errors


def write_corpus(phrasing: Phrasing, out: Path, seed: int, id_prefix: str) -> None:
    """Two correct drafts per demo trial and one draft per error kind it allows, as JSONL rows."""
    rng = random.Random(seed)
    rows = []
    for t in load_trial_facts():
        place, country = rng.choice([p for p in CASE_PLACES if p[1] not in {s[1] for s in t.sites}])
        age = int(t.min_age or 30) + 1 if (t.max_age is None or (t.min_age or 0) + 1 <= t.max_age) else int(t.max_age)
        case = {"age_years": age, "location_label": place, "diagnosis": "relapsed leukaemia"}
        for variant in (0, 1):
            rows.append({"id": f"{id_prefix}-{t.registry_id}-ok{variant}", "trial_id": t.registry_id, "case": case,
                         "sections": correct_sections(t, phrasing, age, country, variant), "label": "correct"})
        base = correct_sections(t, phrasing, age, country, 0)
        for kind, section, sentence in planted_errors(t, phrasing, rng):
            sections = dict(base)
            sections[section] = (sections[section] + " " + sentence).strip()
            rows.append({"id": f"{id_prefix}-{t.registry_id}-{kind}", "trial_id": t.registry_id, "case": case,
                         "sections": sections, "label": "error", "error_kind": kind, "error_section": section,
                         "error_sentence": sentence})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} drafts ({sum(r['label'] == 'error' for r in rows)} with a planted error) to {out}")
