"""The kit's one database: tables of the gradebook and of live sessions, engine and migrations.

SQLite by default, PostgreSQL through a URL (see :func:`database.engine.default_url`). The
tables of both users of the database share one ``Base`` and one Alembic migration chain
(``database/migrations``), which :func:`database.engine.upgrade` runs. Above this package:
:mod:`gradebook` (the facade over learners and attempts) and :mod:`live` (live sessions).
"""

from __future__ import annotations

from database.engine import default_url, make_engine, safe_url, upgrade

__all__ = ["default_url", "make_engine", "safe_url", "upgrade"]
