"""Many proposals at once: cache, parallel workers, stamps and the bound case."""
