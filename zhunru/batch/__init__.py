"""Batch eligibility over many hospitals: inputs, chunked workers, outputs and the report."""
