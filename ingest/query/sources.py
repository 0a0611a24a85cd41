"""Where the delivered objects to query are: a folder, a demo's output folder, or an S3 prefix.

A demo's output folder (`out/demo-<time>/`) holds a copy of the bucket under `s3/<bucket>/` and the stack's outputs
in `stack-outputs.json`, which say which bucket and data prefix the records went to. Without a source, the newest
demo's is used, so `python -m ingest query` right after `make demo` queries what it delivered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from components.core.stack_outputs import BUCKET_NAME, DELIVERY_PREFIX
from ingest.errors import ConfigurationError

DEMO_COPIES_FOLDER = "s3"
"""Where a demo copies the bucket, inside its output folder."""
DEMO_OUTPUTS_FILE = "stack-outputs.json"
DEMO_OUT_ROOT = Path("out")


def demo_data_folder(demo_out: Path) -> Path:
    """`<demo_out>/s3/<bucketName>/<deliveryPrefix>`, from the demo's stack outputs."""
    try:
        outputs = json.loads((demo_out / DEMO_OUTPUTS_FILE).read_text(encoding="utf-8"))
        return demo_out / DEMO_COPIES_FOLDER / outputs[BUCKET_NAME.key] / outputs[DELIVERY_PREFIX.key]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigurationError(f"{demo_out / DEMO_OUTPUTS_FILE}: cannot read the bucket and prefix ({exc})") from None


def latest_demo(root: Path = DEMO_OUT_ROOT) -> Path:
    """The newest `out/demo-*/` that finished (it wrote its stack outputs); names sort by time."""
    finished = sorted(path.parent for path in root.glob(f"demo-*/{DEMO_OUTPUTS_FILE}"))
    if not finished:
        raise ConfigurationError(f"no demo output under {root}/: run `make demo`, or name a folder or s3:// prefix")
    return finished[-1]


def local_folder(source: str | None, *, out_root: Path = DEMO_OUT_ROOT) -> Path:
    """The folder of delivered objects `source` names (None: the newest demo's)."""
    if source is None:
        return demo_data_folder(latest_demo(out_root))
    path = Path(source)
    if (path / DEMO_OUTPUTS_FILE).is_file():
        return demo_data_folder(path)
    return path


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/prefix/` -> (bucket, prefix); the prefix is a folder (ends in '/') or empty."""
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    if not url.startswith("s3://") or not bucket:
        raise ConfigurationError(f"{url!r} is not an s3://bucket/prefix/ URL")
    return bucket, prefix if not prefix or prefix.endswith("/") else prefix + "/"


def download_prefix(s3: Any, url: str, target: Path) -> Path:
    """Every object under the S3 prefix copied to `target`, keys as paths; returns the prefix's folder there.

    DuckDB reads S3 through its httpfs extension, which it downloads at run time; copying with boto3 keeps the
    tool working wherever the S3 API is reachable (including the local emulator)."""
    bucket, prefix = parse_s3_url(url)
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for entry in page.get("Contents", ()):
            if entry["Key"].endswith("/"):
                continue
            path = target / bucket / entry["Key"]
            path.parent.mkdir(parents=True, exist_ok=True)
            s3.download_file(bucket, entry["Key"], str(path))
    return target / bucket / prefix
