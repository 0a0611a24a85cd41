"""Layer `run` of `ingest`, above the stages: one `publish` run. List objects, read and validate their records,
publish them, and account for each one.

Every record a run reads ends up published, rejected (dead-lettered with a reason) or failed (dead-lettered
with the publisher's error code), and the run report says which, per object, in a form `verify` can check.
One module per concern: `publish` is the whole run from options (what the command, smoke and the demo call);
`pipeline` drives it; `reading` is the read-and-validate step `send` shares; `report`, `dead_letter`,
`checkpoint`, `partition`, `progress` and `stop` are what it writes and consults (`ranges` and `files`
underneath); `summary` and `aws` word its outcome and its AWS errors.
"""
