"""The speed and time left a download shows follow the current pace, not the average."""

from downloads.eta import RateEstimator


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def feed(estimator, clock, *, seconds, bytes_per_second, start=0, step=0.25):
    done = start
    for _ in range(round(seconds / step)):
        clock.now += step
        done += int(bytes_per_second * step)
        estimator.add(done)
    return done


def test_at_a_steady_pace_the_time_left_is_what_is_left_over_the_speed():
    clock = Clock()
    estimator = RateEstimator(clock=clock)
    estimator.add(0)
    done = feed(estimator, clock, seconds=4, bytes_per_second=1_000_000)

    assert estimator.speed() == 1_000_000
    assert estimator.eta(done + 5_000_000) == 5


def test_after_a_slowdown_the_estimate_follows_the_new_pace():
    clock = Clock()
    estimator = RateEstimator(window=3.0, clock=clock)
    estimator.add(0)
    done = feed(estimator, clock, seconds=10, bytes_per_second=10_000_000)
    done = feed(estimator, clock, seconds=3, bytes_per_second=1_000_000, start=done)

    # The average since the start (7.9 MB/s) would promise 2 s for the last 10 MB.
    assert estimator.speed() == 1_000_000
    assert estimator.eta(done + 10_000_000) == 10


def test_after_a_speedup_the_estimate_does_not_lag_behind():
    """The reported bug: "7 s left" with 1 s to go, after the pace picked up."""
    clock = Clock()
    estimator = RateEstimator(window=3.0, clock=clock)
    estimator.add(0)
    done = feed(estimator, clock, seconds=10, bytes_per_second=100_000)
    done = feed(estimator, clock, seconds=3, bytes_per_second=1_000_000, start=done)

    assert estimator.eta(done + 1_000_000) == 1


def test_the_time_left_is_rounded_up_and_zero_at_the_end():
    clock = Clock()
    estimator = RateEstimator(clock=clock)
    estimator.add(0)
    done = feed(estimator, clock, seconds=1, bytes_per_second=1_000)

    assert estimator.eta(done + 1_500) == 2
    assert estimator.eta(done) == 0


def test_nothing_is_promised_before_there_is_a_pace_to_go_by():
    clock = Clock()
    estimator = RateEstimator(clock=clock)
    assert estimator.speed() is None
    estimator.add(0)
    clock.now += 0.05
    estimator.add(50_000)

    assert estimator.speed() is None  # 50 ms of samples: noise
    assert estimator.eta(1_000_000) is None
    assert estimator.eta(None) is None


def test_a_stalled_transfer_has_no_time_left_to_show():
    clock = Clock()
    estimator = RateEstimator(window=3.0, clock=clock)
    estimator.add(0)
    done = feed(estimator, clock, seconds=2, bytes_per_second=1_000_000)
    feed(estimator, clock, seconds=4, bytes_per_second=0, start=done)

    assert estimator.speed() == 0
    assert estimator.eta(done + 1) is None


def test_a_transfer_that_starts_over_is_measured_from_its_new_start():
    clock = Clock()
    estimator = RateEstimator(clock=clock)
    estimator.add(0)
    feed(estimator, clock, seconds=2, bytes_per_second=1_000_000)
    estimator.add(0)  # the server ignored our Range: back to the first byte
    feed(estimator, clock, seconds=1, bytes_per_second=500_000)

    assert estimator.speed() == 500_000
