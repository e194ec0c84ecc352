"""zhunru."""
