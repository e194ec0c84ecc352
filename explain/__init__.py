"""Explanations: the derivation graph and its renderers."""
