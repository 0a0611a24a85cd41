"""Layer `run` of `ingest`, above the stages and the read step, beside `endpoint` (neither imports the other): one
`publish` run. List objects, read and validate their records, publish them, and account for each one.

Every record a run reads ends up published, rejected (dead-lettered with a reason) or failed (dead-lettered
with the publisher's error code), and the run report says which, per object, in a form `verify` can check.
One module per concern: `publish` is the whole run from options, `publish()` (what the commands, smoke, the job
and the demo call); `pipeline` is the pipeline it drives, `run_pipeline()`; `report`, `dead_letter`, `checkpoint`,
`partition`, `progress` and `stop` are what it writes and consults; `summary` words its outcome. What it shares
with `send` and `verify` lives below it, in `ingest`'s shared modules: the read step (`ingest.record_reading`),
index ranges, JSON state files, run ids and times, the Kinesis client and the credential errors.
"""
