"""Movement journeys: versioned templates, members' enrolments and their weekly adherence."""
