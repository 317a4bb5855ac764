"""`forslag serve`: a live preview in one warm process that rebuilds what a save touched and reloads the page."""
