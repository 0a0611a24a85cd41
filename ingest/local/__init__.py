"""The embedded local default: the pipeline on moto's AWS emulator, with a local stand-in for Firehose.

`emulator` runs moto's server, `seed` recreates the source bucket, `provision` creates the dev stack's
resources, `relay` delivers the stream into the bucket as Firehose would, `stack` puts them together and
`demo` runs publish -> deliver -> verify on them (`python -m ingest demo`).
"""
