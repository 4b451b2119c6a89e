"""Homework: exercises given to a couple or one partner, answered, followed and reminded."""
