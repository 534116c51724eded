"""The token bucket, driven by a fake clock."""

from __future__ import annotations

import pytest

from core.catalogue.rate_limit import TokenBucket


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_fifty_requests_pass_at_once_and_the_fifty_first_waits():
    clock = FakeClock()
    bucket = TokenBucket(50, clock=clock, sleep=clock.sleep)

    waits = [bucket.acquire() for _ in range(50)]
    assert waits == [0.0] * 50
    assert clock.sleeps == []

    assert bucket.acquire() == pytest.approx(60 / 50)
    assert clock.now - 1000.0 == pytest.approx(1.2)


def test_a_sustained_run_keeps_to_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(50, clock=clock, sleep=clock.sleep)

    for _ in range(150):
        bucket.acquire()

    # 50 at once, then 100 more at 50 a minute.
    assert clock.now - 1000.0 == pytest.approx(120.0)


def test_tokens_refill_with_time_but_not_beyond_the_burst():
    clock = FakeClock()
    bucket = TokenBucket(60, burst=2, clock=clock, sleep=clock.sleep)
    bucket.acquire()
    bucket.acquire()

    clock.now += 3600
    assert bucket.acquire() == 0.0
    assert bucket.acquire() == 0.0
    assert bucket.acquire() == pytest.approx(1.0)


def test_rate_must_be_positive():
    with pytest.raises(ValueError):
        TokenBucket(0)
