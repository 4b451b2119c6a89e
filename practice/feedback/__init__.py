"""Each partner's private rating of each appointment, on the project's own session scale."""
