"""Pull crypto price records from their source, validate them, publish them to the pipeline's Kinesis stream,
and check that they reached the destination bucket.

Data flows one way: sources -> formats -> records (validation) -> publishing -> (AWS) -> verification. The layers,
bottom to top, each importing only those below it; siblings written `a | b` import neither each other
(pyproject.toml's import-linter contracts keep them):
- errors;
- the shared modules every layer above may use: clients (every AWS client and its settings), plugins, json_files
  (state files written atomically), index_ranges, stamps (run ids, report times), wording, retry (the backoff
  policy the publisher and the endpoint's client share);
- the stages sources | formats | records | publishing | sample | parquet;
- record_reading (the read step `publish` and `send` share) | credential_errors (which AWS errors are the setup's);
- run (publish()) | endpoint (send());
- verify (verify_delivery(), over a publish or send report);
- job (the Lambda handlers) | query (DuckDB over delivered objects; imports no publish or verify code) | smoke
  (smoke());
- local (the demo's emulator, off the core path);
- commands, cli, __main__ (parse and print only).
"""
