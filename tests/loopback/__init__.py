"""Servers on loopback that follow external providers' documented contracts, for adapter
tests: one module per provider."""
