"""moto's server on a free loopback port, in a process of its own, with one stream per producer.

Its own process, because moto then spends its own core on parsing and storing records instead of taking
turns with the producer under one GIL: the client side of the measurement stays the producer's alone.
Still, moto's per-record work (it decodes and stores every record) dominates the wall times of producers
that send one Kinesis record per user record, and it enforces no limit: see `bench.standin` for the shard
limits. moto also finds a shard's last sequence number by copying the list of all its records, once per
record put (moto 5.2), so a stream of few shards makes it quadratic: 100,000 plain records take ~56 s on
4 shards and ~16 s on 64 (2 cores, AMD EPYC). Hence `EMULATOR_SHARDS`, which has nothing to do with the
shard limits. Run `python -m bench.emulator` to start one by hand: it prints its port and stops when its
standard input closes.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

from bench.child import PROJECT_DIR, module_command
from ingest.clients import client_config

LOOPBACK = "127.0.0.1"
REGION = "us-east-1"
EMULATOR_SHARDS = 64
_STOP_TIMEOUT_SECONDS = 10


@contextmanager
def running_emulator() -> Iterator[str]:
    """The endpoint URL of a moto server that lives for the block."""
    child = subprocess.Popen(
        module_command("bench.emulator"), cwd=PROJECT_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        port = child.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError(f"the emulator did not start (it printed {port!r})")
        yield f"http://{LOOPBACK}:{port}"
    finally:
        child.stdin.close()
        try:
            child.wait(timeout=_STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def kinesis_client(endpoint_url: str) -> Any:
    """A client as `publish` builds one (`client_config()`), with fake credentials for the emulator."""
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    ).client("kinesis", endpoint_url=endpoint_url, config=client_config())


def create_stream(client: Any, name: str, shards: int) -> None:
    client.create_stream(StreamName=name, ShardCount=shards)
    client.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.1})


def _serve() -> None:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
    server.start()
    print(server.get_host_and_port()[1], flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    _serve()
