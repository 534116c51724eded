"""Dev grounding corpus: the drafts looked at while building the key-fact rules (phrasing differs from held-out).

Run: python bench/corpora/grounding_dev.py -> tests/data/checks/grounding_dev.jsonl
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpora.grounding_corpus import CHECKS_DATA, Phrasing, write_corpus  # noqa: E402

DEV = Phrasing(
    ages_both="The study is open to people from {lo} to {hi} years old.",
    ages_min="It takes people who are at least {lo} years old.",
    ages_max="It takes people up to the age of {hi}.",
    tested="This study is testing {product}.",
    tested_with="It is given together with {others}; these are also being tested.",
    donor="{product} is made from the immune cells of a healthy donor.",
    own="{product} is made from the patient's own immune cells.",
    conditioning="To make room for {product}, patients first get chemotherapy with {drugs}; "
    "this chemotherapy is not what is being tested.",
    conditioning_joiner=" and ",
    programme="This is an expanded access programme.",
    phase="This is a {phase} study.",
    enrollment=("The study plans to include about {n} people.", "Around {n} people may take part."),
    site="There is a study site in {city}, {country}.",
    another_site="There is another site in {city}.",
    patient_age="Your child is {age}.",
    lives_in="You live in {country}.",
    wrong_own="{product} is made from your own immune cells.",
    wrong_donor="{product} is made from donor cells.",
    conditioning_tested="This study is testing {drug}.",
    adults_only="The study is open to people aged 18 and older.",
    wrong_max_age="The study is open to people from {lo} to {hi} years old.",
    children_too="It also takes children from 12 years old.",
    wrong_enrollment=lambda n: n + 20,
    invented_drug="The study also gives {drug}.",
)

if __name__ == "__main__":
    write_corpus(DEV, CHECKS_DATA / "grounding_dev.jsonl", seed=99, id_prefix="gd")
