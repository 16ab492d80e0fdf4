"""Movement prescription profiles: the library session types, Tiles and journeys follow."""
