"""Documents: Danish formatting, prose, Jinja rendering and PDF printing."""
