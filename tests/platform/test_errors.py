"""No request produces a stack trace or an unhandled 500; every error has the one shape."""

from __future__ import annotations

import re

import pytest

from claimline.web.app import create_app
from tests.routes import all_api_routes

GARBAGE_BODIES: list[tuple[bytes, str]] = [
    (b"{not json", "application/json"),
    (b"[]", "application/json"),
    (b'{"question": 12, "username": [], "password": {}, "age": "x"}', "application/json"),
    (b"null", "application/json"),
    (b'"\xff\xfe\x00"', "application/json"),
    (b'{"a": 1e999999}', "application/json"),
    (b"\x00\x01\x02garbage", "application/octet-stream"),
    (b"username=%FF&password=&csrf_token=x", "application/x-www-form-urlencoded"),
]


def all_routes() -> list[tuple[str, str]]:
    routes = []
    for full_path, route in all_api_routes(create_app()):
        if True:  # every route
            path = re.sub(r"\{[^}]+\}", "1", full_path)
            for method in sorted(route.methods - {"HEAD"}):
                routes.append((method, path))
    return routes


def assert_error_shape(response) -> None:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body["error"]) == {"code", "message", "field"}
    assert re.search(r"[\u4e00-\u9fff]", body["error"]["message"]), "message must be Chinese"


@pytest.mark.parametrize(("method", "path"), all_routes())
def test_garbage_never_produces_a_server_error(client, login_as, method: str, path: str) -> None:
    for logged_in in (False, True):
        if logged_in:
            login_as("admin", "garbageadmin")
        for body, content_type in GARBAGE_BODIES:
            response = client.request(method, path, content=body, headers={"content-type": content_type})
            assert response.status_code < 500, (method, path, body, response.text[:300])
            assert "Traceback" not in response.text
            if path.startswith("/api/") and response.status_code >= 400:
                assert_error_shape(response)
        response = client.request(method, path + "?q=%00%FF&page=-1&limit=abc&since=notadate")
        assert response.status_code < 500, (method, path, response.text[:300])
        far = "?until=9999-12-31&since=9999-12-31&accident_date=9999-12-30&offset=99999999999999999999"
        response = client.request(method, path + far, json={"accident_date": "9999-06-01"})
        assert response.status_code < 500, (method, path, "far values", response.text[:300])
        if "/1" in path:  # an id larger than any database integer
            huge = path.replace("/1", "/99999999999999999999")
            response = client.request(method, huge, json={})
            assert response.status_code < 500, (method, huge, response.text[:300])


def test_unknown_api_route_has_error_shape(client) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert_error_shape(response)


def test_malformed_json_is_explained_in_chinese(client) -> None:
    response = client.post("/api/v1/auth/login", content=b"{oops", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "json_invalid"
    assert "JSON" in response.json()["error"]["message"]


def test_missing_field_names_the_field(client) -> None:
    response = client.post("/api/v1/auth/login", json={"username": "admin"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "password"
    assert "必填" in response.json()["error"]["message"]


def test_oversized_body_is_refused(client) -> None:
    response = client.post("/api/v1/auth/login", content=b"x" * 2_000_001, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert_error_shape(response)


def test_unknown_page_is_a_chinese_page(client) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "找不到" in response.text
    assert "<html" in response.text


def test_health_reports_database_and_migrations(client) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["migrations"] == "ok"


def test_openapi_docs_are_served(client) -> None:
    assert client.get("/api/docs").status_code == 200
    assert "/api/v1/health" in client.get("/api/openapi.json").json()["paths"]


def test_health_checks_redis_when_configured(client, monkeypatch) -> None:
    from claimline.config import get_settings

    monkeypatch.setattr(get_settings(), "redis_url", "redis://127.0.0.1:6379/0")
    assert client.get("/api/v1/health").json()["checks"]["redis"] == "ok"
    monkeypatch.setattr(get_settings(), "redis_url", "redis://127.0.0.1:1/0")
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unreachable"
    assert "Redis" in response.json()["error"]["message"]


def test_chunked_body_over_the_limit_is_refused_with_413(client) -> None:
    def chunks():  # no Content-Length: the size is only known while reading
        for _ in range(40):
            yield b"x" * 50_000

    response = client.post("/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert_error_shape(response)
