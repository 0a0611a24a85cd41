"""Layer `local` of `ingest`, above `smoke` and off the core path (it needs the dev requirements): the pipeline
on moto's AWS emulator, with local stand-ins for Firehose and API Gateway.

`emulator` runs moto's server, `seed` recreates the source bucket, `provision` creates the dev stack's
resources, `relay` delivers the stream into the bucket as Firehose would, `stack` puts them together,
`gateway` (with `vtl` and `endpoint`) serves the tracking endpoint as API Gateway would, and `demo` runs
publish and send -> deliver -> verify on them (`python -m ingest demo`).
"""
