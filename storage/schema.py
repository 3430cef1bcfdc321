"""The schema revision this code expects. A test checks it equals the newest migration, so the
fast start-up path can compare it without importing Alembic."""

HEAD_REVISION = "0007_figures"
