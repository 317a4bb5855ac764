"""Git: reading sources as they were at a revision, and what changed in the money since."""
