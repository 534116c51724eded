"""Held-out grounding corpus: correct drafts of the demo trials and drafts with one planted factual error.

Written BEFORE the grounding rules; its phrasing differs from the dev corpus (grounding_dev.py).
Run: python bench/corpora/grounding_heldout.py -> tests/data/checks/grounding_heldout.jsonl
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.corpora.grounding_corpus import CHECKS_DATA, Phrasing, write_corpus  # noqa: E402

HELD_OUT = Phrasing(
    ages_both="People aged {lo} to {hi} years can join.",
    ages_min="People aged {lo} years or older can join; there is no upper age limit.",
    ages_max="People up to {hi} years old can join.",
    tested="The treatment being studied is {product}.",
    tested_with="It is given together with {others}, which are also part of what is tested.",
    donor="{product} is made from T cells taken from a healthy donor, not from the patient.",
    own="{product} is made from the patient's own cells, collected from their blood.",
    conditioning="Before {product} is given, patients get {drugs} to prepare the body; "
    "these drugs are not what the study is testing.",
    conditioning_joiner=", ",
    programme="This is an expanded access programme, not a clinical trial.",
    phase="It is a {phase} study.",
    enrollment=("About {n} people will take part.", "The study hopes to include {n} people."),
    site="One of the hospitals taking part is in {city}, {country}.",
    another_site="Another is in {city}.",
    patient_age="The patient is {age} years old.",
    lives_in="The family lives in {country}.",
    wrong_own="{product} is made from the patient's own blood cells.",
    wrong_donor="{product} uses cells from a healthy donor.",
    conditioning_tested="{drug} is the new drug being tested in this study.",
    adults_only="Only adults aged 18 or over can join.",
    wrong_max_age="People aged {lo} to {hi} years can join.",
    children_too="Children aged 12 and over can join.",
    wrong_enrollment=lambda n: n * 2 + 3,
    invented_drug="Patients also receive {drug} during the study.",
)

if __name__ == "__main__":
    write_corpus(HELD_OUT, CHECKS_DATA / "grounding_heldout.jsonl", seed=4417, id_prefix="gh")
