"""Starting points: a new case repository (`forslag init`) and a new proposal (`forslag new`)."""
