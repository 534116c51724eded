"""Where a cell product comes from (a donor or the patient's own cells) is read from the record's intervention
descriptions first, then its arms, then the sentences that name it; the glossary's meaning follows the reading."""

from __future__ import annotations

import pytest

from core.domain.trial import ArmGroup, Intervention, NormalizedTrial
from core.drafting.offline import draft_trial_summary_offline
from core.drafting.record_reading import read_record
from core.drafting.schema import section_texts
from tests.unit.drafting.fixtures import make_case_facts


def _trial(description: str | None = None, *, summary: str = "", arm: str | None = None) -> NormalizedTrial:
    return NormalizedTrial(
        registry_id="NCT09990001",
        source_format="ctgov_v2_json",
        brief_title="NXO-Q CAR T Cells for Relapsed T-ALL",
        brief_summary=summary or None,
        study_type="INTERVENTIONAL",
        phases=["PHASE1"],
        interventions=[
            Intervention(type="BIOLOGICAL", name="NXO-Q", description=description, arm_labels=["A"] if arm else [])
        ],
        arms=[ArmGroup(label="A", type="EXPERIMENTAL", description=arm)] if arm else [],
    )


@pytest.mark.parametrize(
    ("description", "source"),
    [
        ("Allogeneic CD7 CAR T cells.", "donor"),
        ("Allogenic CD7 CAR T cells.", "donor"),
        ("Donor-derived base-edited CAR T cells.", "donor"),
        ("CAR T cells made from a healthy donor.", "donor"),
        ("Third-party CAR T cells.", "donor"),
        ("Off-the-shelf CAR T cells, ready when needed.", "donor"),
        ("CAR T cells made from T cells collected from an HLA-matched sibling donor.", "donor"),
        ("CAR T cells from a haploidentical family donor.", "donor"),
        ("Unlike autologous products, NXO-Q is made from healthy donor T cells.", "donor"),
        ("Not autologous: made from donor T cells.", "donor"),
        ("Autologous CD7 CAR T cells.", "own"),
        ("CAR T cells made from the patient's own T cells.", "own"),
        ("Patient-derived CAR T cells.", "own"),
        ("CAR T cells made from the child's own immune cells; no donor is needed.", "own"),
        ("Autologous CAR T cells, given before an allogeneic transplant from a donor.", "own"),
        ("CAR T cells made from the patient's cells rather than a donor's.", "own"),
    ],
)
def test_product_source_wordings(description: str, source: str) -> None:
    [part] = read_record(_trial(description)).parts
    assert part.source == source, description


def test_the_intervention_description_wins_over_the_summary() -> None:
    trial = _trial("Autologous CAR T cells.", summary="NXO-Q is followed by an allogeneic transplant.")
    assert read_record(trial).parts[0].source == "own"


def test_the_arm_is_read_when_the_intervention_says_nothing() -> None:
    trial = _trial(None, summary="NXO-Q is new.", arm="Donor-derived NXO-Q, one infusion.")
    assert read_record(trial).parts[0].source == "donor"


def test_the_summary_is_read_when_the_intervention_and_arm_say_nothing() -> None:
    trial = _trial(None, summary="NXO-Q is made from the patient's own T cells.")
    assert read_record(trial).parts[0].source == "own"


@pytest.mark.parametrize(
    ("description", "said", "not_said"),
    [
        ("CAR T cells made from T cells collected from an HLA-matched sibling donor.", "come from a donor", "patient's own"),
        ("Patient-derived CAR T cells.", "the patient's own", "donor"),
    ],
)
def test_the_glossary_meaning_follows_the_source(description: str, said: str, not_said: str) -> None:
    tested = section_texts(draft_trial_summary_offline(_trial(description), make_case_facts(), [], []))[
        "what_is_tested"
    ]
    assert said in tested and not_said not in tested, tested


@pytest.mark.parametrize(
    ("description", "source"),
    [
        ("Thymus tissue (unrelated donor), transplanted into the thigh muscle.", "donor"),
        ("Cells from the patient; a matched sibling donor is not needed.", "own"),
        ("Gene-corrected cells for children without a matched donor; autologous.", "own"),
    ],
)
def test_named_donors_and_their_negations(description: str, source: str) -> None:
    [part] = read_record(_trial(description)).parts
    assert part.source == source, description
