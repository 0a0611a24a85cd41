"""The cloud job: the pull run in the users' account, fanned out on SQS and Lambda, with one DynamoDB ledger.

The planner (`planner`) lists the source and claims each new or changed object version in the ledger (`ledger`)
before it sends one message per object (`messages`, `queue`); the workers (`worker`) run the library's own
`publish()` on one object each and write its outcome back. `handlers` adapts both to Lambda; `operations` is what
`python -m ingest job` calls. Everything the functions need comes from the environment (`config`), whose names
live in `components.core.job`, next to the infrastructure that sets them.
"""
