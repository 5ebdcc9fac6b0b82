import logging

from ibermuseos_platform.logs import RepeatLimit


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def record(message: str, *args: object, level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord("aiokafka", level, __file__, 1, message, args, None)


def test_a_cause_repeating_in_a_tight_loop_writes_a_few_lines_then_says_how_many_it_held_back() -> None:
    clock = Clock()
    limit = RepeatLimit(burst=3, interval=60, clock=clock)

    written = [
        limit.filter(record("Unable connect to node %s: %s", node, "refused")) for node in range(10_000)
    ]
    clock.now = 60.0
    after_the_interval = record("Unable connect to node %s: %s", 1, "refused")

    assert written.count(True) == 3
    assert limit.filter(after_the_interval)
    assert after_the_interval.suppressed == 9_997  # type: ignore[attr-defined]


def test_other_causes_are_not_held_back_by_a_noisy_one() -> None:
    limit = RepeatLimit(burst=1, interval=60, clock=Clock())
    limit.filter(record("noisy %s", 1))
    limit.filter(record("noisy %s", 2))

    assert limit.filter(record("the relay published %s events", 10, level=logging.INFO))
    assert limit.filter(record("noisy %s", 3, level=logging.WARNING))
