"""Agreements the partners make together (pause, boundary, budget, parenting) and keep."""
