"""Runs many independent calls (e.g. one draft per trial) on a thread pool, keeping their order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ThreadPoolExecutor, wait
from typing import TypeVar

X = TypeVar("X")
Y = TypeVar("Y")

_CANCEL_POLL_S = 0.05


def run_concurrently(
    fn: Callable[[X], Y],
    items: Sequence[X],
    concurrency: int,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> list[Y | BaseException]:
    """Apply `fn` to every item with at most `concurrency` at once; failures come back as exceptions.

    `on_progress(done, total)` runs in the calling thread. When `cancel()` turns true, items not yet
    started come back as `CancelledError` and running ones are allowed to finish.
    """
    total = len(items)
    if total == 0:
        return []
    results: list[Y | BaseException] = [CancelledError() for _ in items]
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="llm") as pool:
        pending: dict[Future[Y], int] = {pool.submit(fn, item): i for i, item in enumerate(items)}
        done_count = 0
        cancelled = False
        while pending:
            if not cancelled and cancel is not None and cancel():
                cancelled = True
                for future in pending:
                    future.cancel()
            finished, _ = wait(
                pending, timeout=_CANCEL_POLL_S if cancel else None, return_when=FIRST_COMPLETED
            )
            for future in finished:
                index = pending.pop(future)
                if future.cancelled():
                    continue
                error = future.exception()
                results[index] = error if error is not None else future.result()
                done_count += 1
                if on_progress is not None:
                    on_progress(done_count, total)
    return results
