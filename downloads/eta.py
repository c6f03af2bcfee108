"""How fast bytes arrive now, and how long the rest will take at that pace.

A download's speed changes: a hoster throttles after a burst, a retry starts
from nothing. An average since the start lags behind those changes (it said
"7 s left" with 1 s to go), so speed is measured over the last few seconds only.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 3.0
# Below this much time between the oldest and newest sample, a speed is noise.
MIN_SPAN_SECONDS = 0.2


class RateEstimator:
    def __init__(self, window: float = WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.window = window
        self.clock = clock
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, done: int) -> None:
        """Record that ``done`` bytes have arrived so far."""
        now = self.clock()
        samples = self.samples
        if samples and done < samples[-1][1]:
            samples.clear()  # started over (a server that ignored our Range)
        samples.append((now, done))
        # Keep one sample at or before the window's start, so the span covers the window.
        while len(samples) > 2 and samples[1][0] <= now - self.window:
            samples.popleft()

    def speed(self) -> float | None:
        """Bytes a second over the window, or None before there is enough to tell."""
        if len(self.samples) < 2:
            return None
        (first_time, first_done), (last_time, last_done) = self.samples[0], self.samples[-1]
        span = last_time - first_time
        if span < MIN_SPAN_SECONDS:
            return None
        return (last_done - first_done) / span

    def eta(self, total: int | None) -> int | None:
        """Whole seconds left at the current speed (rounded up), or None when unknown."""
        speed = self.speed()
        if not total or not self.samples or not speed:
            return None
        left = max(0, total - self.samples[-1][1])
        return math.ceil(left / speed)
