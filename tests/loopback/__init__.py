"""Real servers on loopback that follow providers' documented contracts, with faults."""
