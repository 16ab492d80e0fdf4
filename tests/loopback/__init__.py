"""Servers on loopback that follow real providers' documented contracts, for tests."""
