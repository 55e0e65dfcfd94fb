"""Every API route of the app with its full path (FastAPI may nest included routers)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute


def all_api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    found: list[tuple[str, APIRoute]] = []

    def walk(routes: Sequence[BaseRoute], prefix: str) -> None:
        for route in routes:
            if isinstance(route, APIRoute):
                found.append((prefix + route.path, route))
            elif hasattr(route, "original_router"):
                walk(route.original_router.routes, prefix + route.include_context.prefix)  # type: ignore[attr-defined]

    walk(app.routes, "")
    return found
