"""Pull crypto price records from their source, validate them, publish them to the pipeline's Kinesis stream,
and check that they reached the destination bucket.

Data flows one way: sources -> formats -> records (validation) -> publishing -> (AWS) -> verification.
"""
