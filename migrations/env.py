"""Alembic environment: runs against the connection or URL that practice.migrate hands over."""

from alembic import context

import practice.models  # noqa: F401  (registers every table on the metadata)
from practice.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


# Indexes that only one database has, made by their migration and not declared on a model.
INDEXES_OF_ONE_DATABASE = {"ix_directory_services_search_text_trigrams"}


def _compared(object_, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "index" and name in INDEXES_OF_ONE_DATABASE)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite changes tables by copying them; this lets Alembic do that for us.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_compared,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline SQL generation is not supported; run against a database.")
run_migrations_online()
