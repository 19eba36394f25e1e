"""Database migrations, run by Railway's pre-deploy command before a new deployment starts.

Applies every migration in MIGRATIONS that the database has not seen yet, in order, each in its
own transaction, and records it in schema_migrations. DATABASE_URL names the database
(sqlite:///path; Railway's Postgres would take a driver this example does not install); without
it, the migrations are applied to a throwaway in-memory database, which still proves that every
one of them runs. A failing migration exits non-zero, and Railway then keeps the running deployment.
"""

import os
import sqlite3
import sys
import time

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_create_items",
        "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL)",
    ),
    ("0002_index_items_name", "CREATE INDEX items_name ON items (name)"),
]


def connect() -> sqlite3.Connection:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("sqlite:///"):
        return sqlite3.connect(url[len("sqlite:///"):])
    if url:
        sys.exit(f"migrate: DATABASE_URL has a scheme this example does not support: {url.split(':', 1)[0]}")
    print("migrate: no DATABASE_URL, checking the migrations against an in-memory database")
    return sqlite3.connect(":memory:")


def main() -> None:
    started = time.monotonic()
    db = connect()
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    done = {row[0] for row in db.execute("SELECT name FROM schema_migrations")}
    applied = 0
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        with db:
            db.execute(sql)
            db.execute("INSERT INTO schema_migrations VALUES (?, datetime('now'))", (name,))
        print(f"migrate: applied {name}")
        applied += 1
    print(f"migrate: {applied} applied, {len(MIGRATIONS) - applied} already there, in {time.monotonic() - started:.3f}s")


if __name__ == "__main__":
    main()
