"""run_concurrently: order, exceptions, progress, cancellation, real parallelism."""

from __future__ import annotations

import threading
import time
from concurrent.futures import CancelledError

import pytest

from core.llm import run_concurrently


def test_results_keep_input_order_and_exceptions_are_returned() -> None:
    def work(n: int) -> int:
        time.sleep(0.001 * (10 - n))  # later items finish first
        if n == 3:
            raise ValueError("three")
        return n * n

    results = run_concurrently(work, list(range(10)), concurrency=4)

    assert [r for i, r in enumerate(results) if i != 3] == [n * n for n in range(10) if n != 3]
    assert isinstance(results[3], ValueError) and str(results[3]) == "three"


def test_progress_counts_up_to_the_total() -> None:
    seen: list[tuple[int, int]] = []
    run_concurrently(
        lambda n: n, [1, 2, 3, 4, 5], concurrency=2, on_progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_runs_in_parallel_up_to_the_limit() -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def work(_: int) -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.05)
        with lock:
            active -= 1

    run_concurrently(work, range(8), concurrency=4)
    assert peak == 4


def test_cancel_skips_items_not_started() -> None:
    stop = threading.Event()

    def work(n: int) -> int:
        if n == 0:
            stop.set()
        time.sleep(0.05)
        return n

    results = run_concurrently(work, list(range(20)), concurrency=1, cancel=stop.is_set)

    assert results[0] == 0
    assert all(isinstance(r, CancelledError) for r in results[5:])


def test_empty_input() -> None:
    assert run_concurrently(lambda n: n, [], concurrency=3) == []


@pytest.mark.parametrize("concurrency", [0, -1])
def test_nonsense_concurrency_still_runs(concurrency: int) -> None:
    assert run_concurrently(lambda n: n + 1, [1, 2], concurrency=concurrency) == [2, 3]
