"""Layer `endpoint` of `ingest`, beside `run` (neither imports the other), below `verify`: the client of the HTTPS
tracking endpoint.

`send()` (in `send`) finds its input through `ingest.sources` (a local file, an S3 object, an HTTP(S) URL) or reads
standard input, reads it through `ingest.record_reading` exactly as `publish` reads an object, and POSTs the valid
records to `<endpoint>/v1/batch`, resending what the endpoint reports as failed (`client`). Its `SendReport`
(`report`) names every accepted record by the request id the endpoint stamped on it, which is what `verify`
matches. The reference producer for any platform.
"""
