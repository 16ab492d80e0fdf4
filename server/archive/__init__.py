"""The tenant archive (a whole tenant as CSV files and a manifest, read back into an empty
tenant) and the analytics feeds."""
