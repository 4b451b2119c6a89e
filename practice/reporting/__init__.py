"""PDF reports: one renderer, and the builders of each report."""
