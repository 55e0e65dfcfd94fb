"""Every endpoint × every role: anonymous is asked to log in, lower roles are refused."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from claimline.users.models import Role
from claimline.web.app import create_app
from tests.routes import all_api_routes


def required_role(route: APIRoute) -> Role | None:
    """The role a route's typed dependency demands (found by walking its dependency tree)."""
    stack = [route.dependant]
    found: Role | None = None
    while stack:
        dependant = stack.pop()
        name = getattr(dependant.call, "__name__", "")
        if name.startswith("require_"):
            role = Role(name.removeprefix("require_"))
            found = role if found is None or role.rank > found.rank else found
        elif name == "authenticated" and found is None:
            found = Role.agent
        stack.extend(dependant.dependencies)
    return found


def protected_routes() -> list[tuple[str, str, Role]]:
    cases = []
    for full_path, route in all_api_routes(create_app()):
        if (role := required_role(route)) is not None:
            path = re.sub(r"\{[^}]+\}", "1", full_path)
            for method in sorted(route.methods - {"HEAD"}):
                cases.append((method, path, role))
    return cases


CASES = protected_routes()


def test_staff_areas_are_protected() -> None:
    paths = {path for _, path, _ in CASES}
    assert {"/staff", "/staff/users", "/staff/audit", "/api/v1/users", "/api/v1/audit"} <= paths


@pytest.mark.parametrize(("method", "path", "needed"), CASES)
@pytest.mark.parametrize("role", [None, *Role])
def test_endpoint_role(client, login_as, method: str, path: str, needed: Role, role: Role | None) -> None:
    if role is not None:
        login_as(role.value, f"perm{role.value}")
    response = client.request(method, path, json={}, follow_redirects=False)
    if role is None:
        if path.startswith("/api/"):
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "not_logged_in"
        else:
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login")
    elif role.rank < needed.rank:
        assert response.status_code == 403, response.text[:200]
    else:
        assert response.status_code not in (401, 403), response.text[:200]
