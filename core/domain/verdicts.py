"""Criterion-level verdicts: the shared vocabulary of rules, the LLM and the reviewer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

InclusionLabel = Literal["included", "not included", "not enough information", "not applicable"]
ExclusionLabel = Literal["excluded", "not excluded", "not enough information", "not applicable"]
VerdictLabel = Literal[
    "included",
    "not included",
    "excluded",
    "not excluded",
    "not enough information",
    "not applicable",
]
VerdictSource = Literal["rules", "llm", "reviewer"]

INCLUSION_LABELS: tuple[str, ...] = ("included", "not included", "not enough information", "not applicable")
EXCLUSION_LABELS: tuple[str, ...] = ("excluded", "not excluded", "not enough information", "not applicable")


class CriterionVerdict(BaseModel):
    """The assessment of one eligibility criterion against one case."""

    kind: Literal["inclusion", "exclusion"]
    position: int
    criterion_text: str
    verdict: VerdictLabel
    evidence_sentences: list[int] = Field(default_factory=list)  # indices into the case's sentences
    source: VerdictSource = "rules"
    explanation: str = ""

    @property
    def blocks_eligibility(self) -> bool:
        """True when this verdict alone makes the patient likely not eligible."""
        return (self.kind == "inclusion" and self.verdict == "not included") or (
            self.kind == "exclusion" and self.verdict == "excluded"
        )

    @property
    def is_implicit(self) -> bool:
        """True for the verdicts matching adds before the listed criteria (conditions studied, treatment
        target): they have negative positions and no line in the trial's eligibility text."""
        return self.position < 0

    @property
    def is_unknown(self) -> bool:
        return self.verdict == "not enough information"
