"""Ground truth about the demo trials for the grounding corpora, labelled by hand from the records.

Which interventions are conditioning or supportive (not what a trial tests) and where a cell product
comes from are written here from reading each record, independently of the product's grounding rules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from core.catalogue.ctgov_v2 import parse_study_v2
from core.catalogue.demo_data import demo_trial_paths
from core.domain.trial import NormalizedTrial

CONDITIONING: dict[str, list[str]] = {
    "DEMO-0001": ["Fludarabine", "Cyclophosphamide", "Alemtuzumab"],
    "DEMO-0005": ["Fludarabine", "Cyclophosphamide"],
    "DEMO-0010": ["Fludarabine", "Cyclophosphamide"],
    "DEMO-0011": ["Fludarabine", "Cyclophosphamide"],
    "DEMO-0014": ["Fludarabine", "Cyclophosphamide"],
    "DEMO-0016": ["Fludarabine", "Cyclophosphamide"],
    "DEMO-0028": ["Busulfan"],
}
SOURCE: dict[str, str] = {
    "DEMO-0001": "donor", "DEMO-0009": "donor", "DEMO-0022": "donor",
    "DEMO-0005": "autologous", "DEMO-0010": "autologous", "DEMO-0011": "autologous", "DEMO-0014": "autologous",
    "DEMO-0016": "autologous", "DEMO-0019": "autologous", "DEMO-0027": "autologous", "DEMO-0028": "autologous",
    "DEMO-0030": "autologous", "DEMO-0031": "autologous",
}
# Procedures the product leads to (a transplant after the CAR-T): part of taking part, not what is tested.
PROCEDURES: dict[str, list[str]] = {"DEMO-0001": ["Allogeneic HSCT"], "DEMO-0009": ["Allogeneic HSCT"]}
# Interventions that are comparators or placebo: not "the treatment being studied".
NOT_TESTED = {"Placebo", "Saline injection", "Standard chemotherapy blocks", "Salvage chemo-immunotherapy"}


@dataclass
class TrialFacts:
    registry_id: str
    trial: NormalizedTrial
    tested: list[str]
    conditioning: list[str]
    source: str | None
    phase_text: str | None
    study_type: str
    min_age: float | None
    max_age: float | None
    enrollment: int | None
    sites: list[tuple[str, str]] = field(default_factory=list)
    record_text: str = ""


def load_trial_facts() -> list[TrialFacts]:
    """Every demo trial with the hand-labelled facts above."""
    out = []
    for path in demo_trial_paths():
        trial = parse_study_v2(json.loads(path.read_text(encoding="utf-8")))
        rid = trial.registry_id
        conditioning = CONDITIONING.get(rid, [])
        not_tested = {*conditioning, *PROCEDURES.get(rid, []), *NOT_TESTED}
        tested = [i.name for i in trial.interventions if i.name not in not_tested]
        digits = sorted({"".join(c for c in p if c.isdigit()) for p in trial.phases} - {""})
        sites = []
        for s in trial.sites:
            if s.city and s.country and (s.city, s.country) not in sites:
                sites.append((s.city, s.country))
        out.append(
            TrialFacts(
                registry_id=rid, trial=trial, tested=tested or [trial.interventions[0].name], conditioning=conditioning,
                source=SOURCE.get(rid), phase_text=f"phase {'/'.join(digits)}" if digits else None,
                study_type=trial.study_type, min_age=trial.minimum_age_years, max_age=trial.maximum_age_years,
                enrollment=trial.enrollment, sites=sites,
                record_text=json.dumps(trial.model_dump(mode="json", exclude={"raw"})).lower(),
            )
        )
    return out
