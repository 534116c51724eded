"""The per-case treatment-history memo is safe when several threads match different cases at once."""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.domain.case_facts import CaseFacts
from core.matching import criteria_rules


class _SlowDict(dict):
    """A memo that lets other threads run right after each write, as a busy server would."""

    def __setitem__(self, key: object, value: object) -> None:
        super().__setitem__(key, value)
        time.sleep(0.0005)


def test_threads_matching_different_cases_each_get_their_own_history(monkeypatch: pytest.MonkeyPatch) -> None:
    cases = [
        CaseFacts(summary=f"Case {i}. He had {drug}.", prior_therapies=[drug])
        for i, drug in enumerate(["nelarabine", "blinatumomab", "inotuzumab ozogamicin", "rituximab"] * 2)
    ]
    expected = {id(c): criteria_rules.case_history(c, [c.summary]).had for c in cases}
    monkeypatch.setattr(criteria_rules, "_history_memo", _SlowDict())
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to expose a race
    try:
        def run(facts: CaseFacts) -> bool:
            return all(criteria_rules.case_history(facts, [facts.summary]).had == expected[id(facts)] for _ in range(50))

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert all(pool.map(run, cases))
    finally:
        sys.setswitchinterval(old)
