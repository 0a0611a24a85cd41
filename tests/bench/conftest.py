import pytest

from bench.standin import ShardLimitedKinesis


class ManualClock:
    """Time that moves only when told: `sleep` advances it, so producers' pauses take no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def stream(clock):
    """A factory of stand-in streams on the manual clock."""

    def make(shards: int = 1) -> ShardLimitedKinesis:
        return ShardLimitedKinesis(shards, clock=clock)

    return make


def entries(count: int, size: int = 10, *, key: str = "k", hash_key: int | None = None) -> list[dict]:
    """`count` PutRecords entries of `size` bytes each with the key counted (key "k" is 1 byte)."""
    entry: dict = {"Data": b"x" * (size - len(key)), "PartitionKey": key}
    if hash_key is not None:
        entry["ExplicitHashKey"] = str(hash_key)
    return [dict(entry) for _ in range(count)]
