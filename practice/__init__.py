"""Practice: case management for couples counselors."""

from practice.app import create_app

__all__ = ["create_app"]
