"""Pull crypto price records from their source, validate them, publish them to the pipeline's Kinesis stream,
and check that they reached the destination bucket.

Data flows one way: sources -> formats -> records (validation) -> publishing -> (AWS) -> verification. The layers,
bottom to top, each importing only those below it (pyproject.toml's import-linter contracts keep them):
errors; clients, plugins; the stages sources | formats | records | publishing | sample (independent of each
other); run (publish(), the read step); endpoint (send()); verify (verify_delivery()); smoke (smoke()); local
(the demo's emulator, off the core path); commands, cli, __main__ (parse and print only).
"""
