"""Fictional demo studies (ClinicalTrials.gov API v2 JSON) and demo cases, for demos and training."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from core.domain.case_facts import CaseFacts

DEMO_DATA_DIR = Path(__file__).resolve().parent
TRIALS_DIR = DEMO_DATA_DIR / "trials"
CASES_FILE = DEMO_DATA_DIR / "cases.json"


class DemoCase(BaseModel):
    """A fictional case: de-identified clinical facts plus separate (fictional) contact details."""

    model_config = ConfigDict(extra="forbid")

    reference: str
    is_demo: bool = True
    facts: CaseFacts
    # Contact details live outside `facts` so they can never travel to an LLM with the clinical facts.
    contact_name: str
    contact_email: str
    contact_phone: str | None = None
    contact_address: str | None = None


def demo_trial_paths() -> list[Path]:
    """Return the demo study files (DEMO-0001.json ...) in id order."""
    return sorted(TRIALS_DIR.glob("DEMO-*.json"))


def load_demo_cases(path: Path | None = None) -> list[DemoCase]:
    """Load and validate the demo cases; raise ValueError naming the file, case and field on bad input."""
    source = path or CASES_FILE
    try:
        document = json.loads(source.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{source}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list):
        raise ValueError(f'{source}: expected an object with a "cases" list at the top level')
    cases: list[DemoCase] = []
    for index, raw in enumerate(document["cases"]):
        try:
            cases.append(DemoCase.model_validate(raw))
        except ValidationError as exc:
            problems = "; ".join(
                f"field {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
            )
            raise ValueError(f"{source}: case {index + 1} ({_reference_of(raw)}): {problems}") from exc
    return cases


def _reference_of(raw: object) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("reference"), str):
        return raw["reference"]
    return "no reference"
