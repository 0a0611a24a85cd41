"""bench/results.json: `{"records": N, "producers": {name: {wall_s, records_per_s, api_calls, bytes,
put_payload_units, retries}}, ...}`, then one key per other section that ran, the machine and the settings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bench.client_cost import BigFileRun, StageRate
from bench.comparison import ProducerFigures, ratios
from bench.delivery_cost import DeliveryCost
from bench.import_cost import ImportCost
from bench.job_scaling import JobScalingRun
from bench.producers import DEFAULT_PRODUCER
from bench.shard_limits import LimitRun
from bench.storage_cost import StorageCost


@dataclass
class Results:
    records: int
    machine: dict[str, object]
    settings: dict[str, object]
    producers: dict[str, ProducerFigures] = field(default_factory=dict)
    shard_limits: Sequence[LimitRun] | None = None
    in_flight: Sequence[LimitRun] | None = None
    client_stages: Sequence[StageRate] | None = None
    big_file: BigFileRun | None = None
    delivery_cost: Sequence[DeliveryCost] | None = None
    import_cost: Sequence[ImportCost] | None = None
    storage_cost: StorageCost | None = None
    job_scaling: Sequence[JobScalingRun] | None = None

    def to_dict(self) -> dict[str, object]:
        document: dict[str, object] = {
            "records": self.records,
            "producers": {name: figures.figures() for name, figures in self.producers.items()},
            "default_producer": DEFAULT_PRODUCER,
            "ratios_to_default": ratios(self.producers),
            "producer_details": {name: figures.details() for name, figures in self.producers.items()},
        }
        sections: dict[str, object] = {
            "shard_limits": _each(self.shard_limits),
            "in_flight": _each(self.in_flight),
            "client_cost": self._client_cost(),
            "delivery_cost": _each(self.delivery_cost),
            "import_cost": _each(self.import_cost),
            "storage_cost": self.storage_cost.to_dict() if self.storage_cost is not None else None,
            "job_scaling": _each(self.job_scaling),
        }
        document.update((name, section) for name, section in sections.items() if section is not None)
        document["machine"] = self.machine
        document["settings"] = self.settings
        return document

    def _client_cost(self) -> dict[str, object] | None:
        if self.client_stages is None and self.big_file is None:
            return None
        return {
            "stages": [stage.to_dict() for stage in self.client_stages or ()],
            "big_file": self.big_file.to_dict() if self.big_file is not None else None,
        }


class _Figures(Protocol):
    def to_dict(self) -> dict[str, object]: ...


def _each(section: Sequence[_Figures] | None) -> list[dict[str, object]] | None:
    """A section that ran, as a list of its runs' figures; None for one that did not (left out of the file)."""
    return None if section is None else [run.to_dict() for run in section]


def write_results(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results.to_dict(), indent=2) + "\n", encoding="utf-8")
