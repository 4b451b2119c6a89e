"""The page templates. They ship inside the package as ``practice.templates`` (see
pyproject.toml); this file makes them a package so importlib.resources finds them."""
