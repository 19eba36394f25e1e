"""A FastAPI service on Postgres: readiness means the database answers and its schema is migrated."""

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import create_engine, text

from app.settings import database_url

app = FastAPI(title="deploy-check Postgres example", version="1.0.0")
# Read at import: a missing DATABASE_URL stops the server at start, with the reason in its log.
engine = create_engine(database_url(), pool_pre_ping=True, future=True)
HEAD = ScriptDirectory.from_config(Config("alembic.ini")).get_current_head()


@app.on_event("startup")
def connect() -> None:
    # Fail at start, not on the first request, when the database cannot be reached.
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


@app.get("/api/v1/health/live")
def live() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/api/v1/health/ready")
def ready() -> JSONResponse:
    """Ready when Postgres answers and the schema is at the Alembic head."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            items = connection.execute(text("SELECT count(*) FROM items")).scalar()
    except Exception as error:  # the reason goes to the caller: this is a health endpoint
        return JSONResponse({"status": "unavailable", "error": str(error).splitlines()[0]}, status_code=503)
    if current != HEAD:
        return JSONResponse({"status": "migrations pending", "revision": current, "head": HEAD}, status_code=503)
    return JSONResponse({"status": "ready", "revision": current, "items": items})


class Item(BaseModel):
    name: str
    embedding: list[float]


@app.post("/api/v1/items", status_code=201)
def create_item(item: Item) -> dict[str, int]:
    with engine.begin() as connection:
        new_id = connection.execute(
            text("INSERT INTO items (name, embedding) VALUES (:name, CAST(:embedding AS vector)) RETURNING id"),
            {"name": item.name, "embedding": str(item.embedding)},
        ).scalar_one()
    return {"id": new_id}


@app.get("/api/v1/items/nearest")
def nearest(x: float, y: float, z: float) -> list[dict[str, object]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, name FROM items ORDER BY embedding <-> CAST(:q AS vector) LIMIT 5"),
            {"q": str([x, y, z])},
        )
        return [{"id": row.id, "name": row.name} for row in rows]
