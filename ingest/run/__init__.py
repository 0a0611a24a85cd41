"""One `publish` run: list objects, read and validate their records, publish them, and account for each one.

Every record a run reads ends up published, rejected (dead-lettered with a reason) or failed (dead-lettered
with the publisher's error code), and the run report says which, per object, in a form `verify` can check.
One module per concern: `pipeline` drives the run; `report`, `dead_letter`, `checkpoint`, `partition` and
`progress` are what it writes and consults (`ranges` and `files` underneath); `summary` and `aws` serve the
command line.
"""
