"""The Alembic migrations. They ship inside the package as ``practice.migrations`` (see
pyproject.toml); this file makes them a package so importlib.resources finds them."""
