"""Couples, their two partners, and a counselor's caseload."""
