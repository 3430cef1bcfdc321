"""Alembic environment: runs on the connection that storage.engine.upgrade hands in."""

from alembic import context

from storage.models import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    raise SystemExit("run migrations through storage.engine.upgrade()")
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite needs table copies for ALTERs
)
with context.begin_transaction():
    context.run_migrations()
