"""Regenerate the initial Alembic migration from jalon/models.py (only while jalon is unreleased)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from jalon.db import MIGRATIONS_DIR, Database, alembic_config


def main() -> None:
    for old in (MIGRATIONS_DIR / "versions").glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{Path(tmp) / 'empty.db'}")
        command.revision(
            alembic_config(database.engine), message="initial schema", autogenerate=True, rev_id="0001"
        )
        database.dispose()


if __name__ == "__main__":
    main()
