"""Layer `endpoint` of `ingest`, above `run` (it reads through run's read step), below `verify`: the client of the
HTTPS tracking endpoint.

`send()` (in `send`) reads a file or standard input through `ingest.record_reading` exactly as `publish` reads an
object, and POSTs the valid records to `<endpoint>/v1/batch`, resending what the endpoint reports as failed
(`client`). Its `SendReport` (`report`) names every accepted record by the request id the endpoint stamped on
it, which is what `verify` matches. The reference producer for any platform.
"""
