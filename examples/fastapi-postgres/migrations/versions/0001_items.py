"""items with an embedding (pgvector)

Revision ID: 0001
Revises:
"""
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.execute(
        "CREATE TABLE items ("
        " id serial PRIMARY KEY,"
        " name text NOT NULL,"
        " embedding vector(3) NOT NULL"
        ")"
    )


def downgrade() -> None:
    op.execute("DROP TABLE items")
