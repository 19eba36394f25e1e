"""Settings from the environment, checked once at start with a message a person can act on."""

import os


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        raise RuntimeError(
            "DATABASE_URL is not set: this service needs Postgres, e.g. "
            "DATABASE_URL=postgresql+psycopg2://app:PASSWORD@db:5432/app"
        )
    return url
