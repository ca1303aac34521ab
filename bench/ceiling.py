"""The framework ceiling: the smallest Flask JSON endpoint, served like the API."""

from __future__ import annotations

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/ping/")
    def ping() -> dict[str, str]:
        return {"status": "ok"}

    return app
