"""Held-out grounding corpus: correct drafts of the demo trials and drafts with one planted factual error.

Written BEFORE the grounding rules; its phrasing differs from the dev corpus (grounding_dev.py).
Run: python bench/corpora/grounding_heldout.py -> tests/data/checks/grounding_heldout.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpora.demo_facts import TrialFacts, load_trial_facts  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "checks" / "grounding_heldout.jsonl"
SEED = 4417
CASE_PLACES = [("Tucson, United States", "United States"), ("Leeds, United Kingdom", "United Kingdom"),
               ("Lyon, France", "France"), ("Calgary, Canada", "Canada"), ("Utrecht, Netherlands", "Netherlands")]
INVENTED = ["ponatinib", "ruxolitinib", "imatinib", "tisagenlecleucel", "obinutuzumab", "carfilzomib"]
OTHER_CITIES = {"United States": "Phoenix", "United Kingdom": "Cardiff", "France": "Bordeaux", "Germany": "Dresden",
                "Netherlands": "Groningen", "Canada": "Winnipeg", "Spain": "Seville", "Italy": "Turin",
                "Australia": "Adelaide", "Ireland": "Cork", "Japan": "Kyoto"}


def _ages(t: TrialFacts) -> str:
    lo = f"{t.min_age:g}" if t.min_age is not None else None
    hi = f"{t.max_age:g}" if t.max_age is not None else None
    if lo and hi:
        return f"People aged {lo} to {hi} years can join."
    if lo:
        return f"People aged {lo} years or older can join; there is no upper age limit."
    if hi:
        return f"People up to {hi} years old can join."
    return "The record gives no age limits."


def correct_sections(t: TrialFacts, case_age: int, case_country: str, variant: int) -> dict[str, str]:
    product = t.tested[0]
    tested = [f"The treatment being studied is {product}."]
    if len(t.tested) > 1:
        tested.append(f"It is given together with {' and '.join(t.tested[1:])}, which are also part of what is tested.")
    if t.source == "donor":
        tested.append(f"{product} is made from T cells taken from a healthy donor, not from the patient.")
    elif t.source == "autologous":
        tested.append(f"{product} is made from the patient's own cells, collected from their blood.")
    if t.conditioning:
        tested.append(
            f"Before {product} is given, patients get {', '.join(t.conditioning)} to prepare the body; "
            "these drugs are not what the study is testing."
        )
    involves = []
    if t.study_type == "EXPANDED_ACCESS":
        involves.append("This is an expanded access programme, not a clinical trial.")
    elif t.phase_text:
        involves.append(f"It is a {t.phase_text} study.")
    if t.enrollment:
        involves.append(f"About {t.enrollment} people will take part." if variant == 0 else f"The study hopes to include {t.enrollment} people.")
    city, country = t.sites[0]
    where = [f"One of the hospitals taking part is in {city}, {country}."]
    if len(t.sites) > 1 and variant == 1:
        where.append(f"Another is in {t.sites[1][0]}.")
    fit = [_ages(t), f"The patient is {case_age} years old.", f"The family lives in {case_country}."]
    return {"what_is_tested": " ".join(tested), "why_it_may_fit": " ".join(fit),
            "what_taking_part_involves": " ".join(involves), "where_and_contact": " ".join(where)}


def planted_errors(t: TrialFacts, rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, section, wrong sentence) for every error kind this trial allows."""
    product = t.tested[0]
    errors: list[tuple[str, str, str]] = []
    if t.source == "donor":
        errors.append(("product_source", "what_is_tested", f"{product} is made from the patient's own blood cells."))
    elif t.source == "autologous":
        errors.append(("product_source", "what_is_tested", f"{product} uses cells from a healthy donor."))
    if t.conditioning:
        drug = rng.choice(t.conditioning)
        errors.append(("conditioning_as_tested", "what_is_tested", f"{drug} is the new drug being tested in this study."))
    if t.phase_text and t.study_type != "EXPANDED_ACCESS":
        wrong = "phase 3" if "3" not in t.phase_text else "phase 2"
        errors.append(("phase", "what_taking_part_involves", f"It is a {wrong} study."))
    if t.min_age is not None and t.min_age < 18:
        errors.append(("ages", "why_it_may_fit", "Only adults aged 18 or over can join."))
    elif t.max_age is not None:
        errors.append(("ages", "why_it_may_fit", f"People aged {t.min_age or 0:g} to {t.max_age + 6:g} years can join."))
    else:
        errors.append(("ages", "why_it_may_fit", "Children aged 12 and over can join."))
    city, country = t.sites[0]
    other = OTHER_CITIES.get(country, "Oslo")
    errors.append(("site", "where_and_contact", f"One of the hospitals taking part is in {other}, {country}."))
    wrong_countries = [c for c in OTHER_CITIES if c not in {s[1] for s in t.sites}]
    errors.append(("site_country", "where_and_contact", f"One of the hospitals taking part is in {city}, {rng.choice(wrong_countries)}."))
    if t.enrollment:
        errors.append(("number", "what_taking_part_involves", f"About {t.enrollment * 2 + 3} people will take part."))
    drug = next(d for d in rng.sample(INVENTED, len(INVENTED)) if d not in t.record_text)
    errors.append(("invented_drug", "what_is_tested", f"Patients also receive {drug} during the study."))
    return errors


def main() -> None:
    rng = random.Random(SEED)
    rows = []
    for t in load_trial_facts():
        place, country = rng.choice([p for p in CASE_PLACES if p[1] not in {s[1] for s in t.sites}])
        age = int(t.min_age or 30) + 1 if (t.max_age is None or (t.min_age or 0) + 1 <= t.max_age) else int(t.max_age)
        case = {"age_years": age, "location_label": place, "diagnosis": "relapsed leukaemia"}
        for variant in (0, 1):
            rows.append({"id": f"gh-{t.registry_id}-ok{variant}", "trial_id": t.registry_id, "case": case,
                         "sections": correct_sections(t, age, country, variant), "label": "correct"})
        base = correct_sections(t, age, country, 0)
        for kind, section, sentence in planted_errors(t, rng):
            sections = dict(base)
            sections[section] = (sections[section] + " " + sentence).strip()
            rows.append({"id": f"gh-{t.registry_id}-{kind}", "trial_id": t.registry_id, "case": case, "sections": sections,
                         "label": "error", "error_kind": kind, "error_section": section, "error_sentence": sentence})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} drafts ({sum(r['label'] == 'error' for r in rows)} with a planted error) to {OUT}")


if __name__ == "__main__":
    main()
