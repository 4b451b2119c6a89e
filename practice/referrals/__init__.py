"""Referrals: a couple or one partner referred to a directory service, and the loop closed."""
