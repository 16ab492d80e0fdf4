"""CarePath Move: movement prescription, journeys, screening and adherence (pure rules)."""
