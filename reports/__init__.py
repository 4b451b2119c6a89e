"""The PDF reports' templates and print styles. They ship inside the package as
``practice.reports`` (see pyproject.toml); this file makes them a package so
importlib.resources finds them."""
