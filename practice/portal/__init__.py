"""The partners' own pages."""
