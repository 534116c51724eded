"""A token-bucket rate limiter with an injectable clock and sleep."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    """Allow `burst` requests at once, refilled at `rate_per_minute`; `acquire` waits for a token."""

    def __init__(
        self,
        rate_per_minute: float = 50,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate_per_minute <= 0:
            raise ValueError("rate_per_minute must be positive")
        self.rate_per_second = rate_per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(1, int(rate_per_minute)))
        if self.capacity < 1:
            raise ValueError("burst must be at least 1")
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.capacity
        self._updated = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, sleeping until one is available; return the seconds waited."""
        with self._lock:
            self._refill()
            # Taking the token on credit and sleeping off the debt avoids a retry loop that
            # floating-point rounding of the clock could keep spinning.
            self._tokens -= 1
            if self._tokens >= 0:
                return 0.0
            delay = -self._tokens / self.rate_per_second
            self._sleep(delay)
            return delay

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate_per_second)
        self._updated = now
