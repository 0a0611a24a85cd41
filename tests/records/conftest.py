import pytest


@pytest.fixture
def valid_raw() -> dict[str, object]:
    """One record as a JSON reader would produce it."""
    return {
        "date": 1514764800,
        "high": 755.5,
        "low": 748.25,
        "open": 750.0,
        "close": 752.0,
        "volume": 30000.0,
        "quoteVolume": 40.0,
        "weightedAverage": 750.0,
    }
