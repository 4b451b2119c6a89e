"""Load data for measuring: a practice of realistic size, fictional, written in bulk."""
