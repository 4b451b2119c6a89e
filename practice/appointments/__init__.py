"""Appointments (therapy sessions), their progress notes, and signed addenda."""
