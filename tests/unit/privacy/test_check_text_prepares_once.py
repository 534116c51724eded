"""check-text looks each trial and case up once and prepares the checks' sources once, not once per row."""

from __future__ import annotations

from core.drafting import checks
from core.privacy.known import as_known
from core.text_safety_rows import CaseContext, TextRow, check_text_rows
from tests.unit.drafting.fixtures import PERSONAL_DATA, make_car_t_trial, make_case_facts


def test_many_rows_about_one_trial_and_case_prepare_their_sources_once(monkeypatch) -> None:
    trial, case = make_car_t_trial(), CaseContext(facts=make_case_facts(), known=as_known(PERSONAL_DATA))
    looked_up: list[str] = []
    built: list[int] = []

    class CountingScanner(checks.PersonalDataScanner):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(checks, "PersonalDataScanner", CountingScanner)
    checks._personal_data_scanner.cache_clear()
    rows = [TextRow(id=str(i), text=t, trial_id="NCT1", case_id=7)
            for i, t in enumerate(["Call Maria Okafor today.", "The study is in phase 2."] * 20)]
    out = list(check_text_rows(rows, lambda t: looked_up.append(t) or trial, lambda c: looked_up.append(str(c)) or case))
    assert len(out) == 40 and {o["id"] for o in out if not o["passed"]} >= {"0", "2"}
    assert looked_up == ["NCT1", "7"]
    assert len(built) == 1
