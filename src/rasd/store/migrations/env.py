"""Alembic environment for the Rasd store.

Run programmatically by :meth:`rasd.store.Store.open` (the open connection is passed in
``config.attributes["connection"]``); ``alembic -x url=sqlite:///rasd.db upgrade head`` with a
config whose ``script_location`` is this folder works as well.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from rasd.store.schema import metadata

config = context.config


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # command-line use
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
