"""Movement Tiles: a tenant's library of short guided activities members complete."""
