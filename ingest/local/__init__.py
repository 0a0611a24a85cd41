"""Layer `local` of `ingest`, above `smoke` and off the core path (it needs the dev requirements): the pipeline
on moto's AWS emulator, with local stand-ins for Firehose and API Gateway.

`emulator` runs moto's server, `seed` recreates the source bucket, `provision` creates the dev stack's
resources, `firehose_standin` delivers the stream into the bucket as Firehose would, `stack` puts them
together, `gateway` (with `vtl`) answers the tracking endpoint's requests as API Gateway would and
`gateway_server` serves it over HTTP, and `demo` runs publish and send -> deliver -> verify on them
(`python -m ingest demo`). `job_provision`, `lambda_standin` and `job_demo` do the same for the ingest job
(`python -m ingest demo --job`).
"""
