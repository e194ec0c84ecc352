"""Example hospital profiles (package data: the archetypes of `zhunru synth`)."""
