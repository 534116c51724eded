"""What a study can tell about how well its treatment works, per study type, phase and design (a data file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from core.data_files import load_yaml_list
from core.domain.trial import NormalizedTrial

STAGES_FILE = Path(__file__).resolve().parent / "knowledge" / "study_stages.yaml"
Comparison = Literal["placebo", "comparator", "none"]


class StudyStage(BaseModel):
    """One entry of knowledge/study_stages.yaml: conditions on the record and what to say."""

    study_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    compared_with: Comparison | None = None
    text: str

    def holds(self, trial: NormalizedTrial, phases: str, compared_with: Comparison) -> bool:
        """True when every condition this entry gives holds for the record."""
        return (
            (not self.study_types or trial.study_type in self.study_types)
            and (not self.statuses or trial.overall_status in self.statuses)
            and (not self.phases or phases in self.phases)
            and (self.compared_with is None or self.compared_with == compared_with)
        )


@lru_cache(maxsize=1)
def _stages() -> list[StudyStage]:
    return load_yaml_list(STAGES_FILE, "stages", StudyStage)


def stage_sentences(trial: NormalizedTrial, compared_with: Comparison) -> str | None:
    """What the record's kind of study can tell about how well the treatment works, or None."""
    order = ["EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"]
    phases = "/".join(p for p in order if p in trial.phases)
    return next((s.text for s in _stages() if s.holds(trial, phases, compared_with)), None)
