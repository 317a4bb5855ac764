"""Sources: YAML read safely with positions, the pydantic schema, and loading with every problem at once."""
