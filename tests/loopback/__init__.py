"""Small HTTP servers on loopback that follow real providers' documented contracts, with
faults to inject (tests start them; nothing leaves the machine)."""
