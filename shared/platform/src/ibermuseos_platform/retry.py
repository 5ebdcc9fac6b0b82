"""How long to wait before trying again."""

import random


def backoff(attempt: int, *, base: float = 0.25, cap: float = 30.0) -> float:
    """Exponential backoff with full jitter on the upper half: attempt 1 waits about `base`, never more than `cap`."""
    return min(cap, base * 2.0 ** min(attempt - 1, 16)) * random.uniform(0.5, 1.0)
