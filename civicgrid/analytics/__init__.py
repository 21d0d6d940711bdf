"""Read-only views over the whole system (the city map); nothing imports this app."""
