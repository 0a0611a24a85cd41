"""bench/results.json: `{"records": N, "producers": {name: {wall_s, records_per_s, api_calls, bytes,
put_payload_units, retries}}, ...}`, then one key per other section that ran, the machine and the settings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

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
        if self.shard_limits is not None:
            document["shard_limits"] = [run.to_dict() for run in self.shard_limits]
        if self.in_flight is not None:
            document["in_flight"] = [run.to_dict() for run in self.in_flight]
        if self.client_stages is not None or self.big_file is not None:
            document["client_cost"] = {
                "stages": [stage.to_dict() for stage in self.client_stages or ()],
                "big_file": self.big_file.to_dict() if self.big_file is not None else None,
            }
        if self.delivery_cost is not None:
            document["delivery_cost"] = [cost.to_dict() for cost in self.delivery_cost]
        if self.import_cost is not None:
            document["import_cost"] = [cost.to_dict() for cost in self.import_cost]
        if self.storage_cost is not None:
            document["storage_cost"] = self.storage_cost.to_dict()
        if self.job_scaling is not None:
            document["job_scaling"] = [run.to_dict() for run in self.job_scaling]
        document["machine"] = self.machine
        document["settings"] = self.settings
        return document


def write_results(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results.to_dict(), indent=2) + "\n", encoding="utf-8")
