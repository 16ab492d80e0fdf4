"""Reports to a company about its employees' use of what it pays for: aggregates only, every
cell and every filter passed through disclosure control, and individual rows only for those
who consented."""
