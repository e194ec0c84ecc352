"""Evaluation: profile facts, the clingo engine and the typed boundary to it."""
