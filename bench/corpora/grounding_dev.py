"""Dev grounding corpus: the drafts looked at while building the key-fact rules (phrasing differs from held-out).

Run: python bench/corpora/grounding_dev.py -> tests/data/checks/grounding_dev.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpora.demo_facts import TrialFacts, load_trial_facts  # noqa: E402

OUT = Path(__file__).resolve().parents[2] / "tests" / "data" / "checks" / "grounding_dev.jsonl"
SEED = 99
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
        return f"The study is open to people from {lo} to {hi} years old."
    if lo:
        return f"It takes people who are at least {lo} years old."
    if hi:
        return f"It takes people up to the age of {hi}."
    return "The record gives no age limits."


def correct_sections(t: TrialFacts, case_age: int, case_country: str, variant: int) -> dict[str, str]:
    product = t.tested[0]
    tested = [f"This study is testing {product}."]
    if len(t.tested) > 1:
        tested.append(f"It is given together with {' and '.join(t.tested[1:])}; these are also being tested.")
    if t.source == "donor":
        tested.append(f"{product} is made from the immune cells of a healthy donor.")
    elif t.source == "autologous":
        tested.append(f"{product} is made from the patient's own immune cells.")
    if t.conditioning:
        tested.append(
            f"To make room for {product}, patients first get chemotherapy with {' and '.join(t.conditioning)}; "
            "this chemotherapy is not what is being tested."
        )
    involves = []
    if t.study_type == "EXPANDED_ACCESS":
        involves.append("This is an expanded access programme.")
    elif t.phase_text:
        involves.append(f"This is a {t.phase_text} study.")
    if t.enrollment:
        involves.append(f"The study plans to include about {t.enrollment} people." if variant == 0 else f"Around {t.enrollment} people may take part.")
    city, country = t.sites[0]
    where = [f"There is a study site in {city}, {country}."]
    if len(t.sites) > 1 and variant == 1:
        where.append(f"There is another site in {t.sites[1][0]}.")
    fit = [_ages(t), f"Your child is {case_age}.", f"You live in {case_country}."]
    return {"what_is_tested": " ".join(tested), "why_it_may_fit": " ".join(fit),
            "what_taking_part_involves": " ".join(involves), "where_and_contact": " ".join(where)}


def planted_errors(t: TrialFacts, rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, section, wrong sentence) for every error kind this trial allows."""
    product = t.tested[0]
    errors: list[tuple[str, str, str]] = []
    if t.source == "donor":
        errors.append(("product_source", "what_is_tested", f"{product} is made from your own immune cells."))
    elif t.source == "autologous":
        errors.append(("product_source", "what_is_tested", f"{product} is made from donor cells."))
    if t.conditioning:
        drug = rng.choice(t.conditioning)
        errors.append(("conditioning_as_tested", "what_is_tested", f"This study is testing {drug}."))
    if t.phase_text and t.study_type != "EXPANDED_ACCESS":
        wrong = "phase 3" if "3" not in t.phase_text else "phase 2"
        errors.append(("phase", "what_taking_part_involves", f"This is a {wrong} study."))
    if t.min_age is not None and t.min_age < 18:
        errors.append(("ages", "why_it_may_fit", "The study is open to people aged 18 and older."))
    elif t.max_age is not None:
        errors.append(("ages", "why_it_may_fit", f"The study is open to people from {t.min_age or 0:g} to {t.max_age + 6:g} years old."))
    else:
        errors.append(("ages", "why_it_may_fit", "It also takes children from 12 years old."))
    city, country = t.sites[0]
    other = OTHER_CITIES.get(country, "Oslo")
    errors.append(("site", "where_and_contact", f"There is a study site in {other}, {country}."))
    wrong_countries = [c for c in OTHER_CITIES if c not in {s[1] for s in t.sites}]
    errors.append(("site_country", "where_and_contact", f"There is a study site in {city}, {rng.choice(wrong_countries)}."))
    if t.enrollment:
        errors.append(("number", "what_taking_part_involves", f"The study plans to include about {t.enrollment + 20} people."))
    drug = next(d for d in rng.sample(INVENTED, len(INVENTED)) if d not in t.record_text)
    errors.append(("invented_drug", "what_is_tested", f"The study also gives {drug}."))
    return errors


def main() -> None:
    rng = random.Random(SEED)
    rows = []
    for t in load_trial_facts():
        place, country = rng.choice([p for p in CASE_PLACES if p[1] not in {s[1] for s in t.sites}])
        age = int(t.min_age or 30) + 1 if (t.max_age is None or (t.min_age or 0) + 1 <= t.max_age) else int(t.max_age)
        case = {"age_years": age, "location_label": place, "diagnosis": "relapsed leukaemia"}
        for variant in (0, 1):
            rows.append({"id": f"gd-{t.registry_id}-ok{variant}", "trial_id": t.registry_id, "case": case,
                         "sections": correct_sections(t, age, country, variant), "label": "correct"})
        base = correct_sections(t, age, country, 0)
        for kind, section, sentence in planted_errors(t, rng):
            sections = dict(base)
            sections[section] = (sections[section] + " " + sentence).strip()
            rows.append({"id": f"gd-{t.registry_id}-{kind}", "trial_id": t.registry_id, "case": case, "sections": sections,
                         "label": "error", "error_kind": kind, "error_section": section, "error_sentence": sentence})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} drafts ({sum(r['label'] == 'error' for r in rows)} with a planted error) to {OUT}")


if __name__ == "__main__":
    main()
