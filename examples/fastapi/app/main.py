"""A small FastAPI service: the kind of backend deploy-check builds, starts and checks."""

import os
import platform

from fastapi import FastAPI

app = FastAPI(title="deploy-check example", version="1.0.0")


@app.get("/health")
def health() -> dict[str, str]:
    """Liveness for deploy-check, Docker's HEALTHCHECK and Railway's healthcheckPath."""
    return {"status": "ok"}


@app.get("/")
def index() -> dict[str, str]:
    return {
        "service": "deploy-check example",
        "python": platform.python_version(),
        # Railway sets RAILWAY_ENVIRONMENT_NAME in deployments; locally it is absent.
        "environment": os.environ.get("RAILWAY_ENVIRONMENT_NAME", "local"),
    }
