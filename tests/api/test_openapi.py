"""The OpenAPI document: valid OpenAPI 3.1, exactly the app's routes (paths and
methods, read from falcon's router), and the app's real answers are what it says."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from falcon import inspect
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from modemd.api.app import make_app
from modemd.api.openapi import document
from modemd.desk import claims
from modemd.store import Store

from .support import CUSTOMER, NOBODY, Client, add_line, lab, texted


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "m.db")
    yield opened
    opened.close()


@pytest.fixture
def api(store: Store, tmp_path: Path) -> Client:
    return Client(store, lab(tmp_path / "m.db"))


def test_the_document_is_valid_openapi_3_1() -> None:
    spec = document()
    validate(spec)
    assert spec["openapi"] == "3.1.0"
    operations = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(operations) == len(set(operations))


def test_its_paths_and_methods_are_exactly_the_apps_routes(api: Client) -> None:
    app = make_app(api.store, api.config, "unix")
    served = {(route.path, method.method) for route in inspect.inspect_routes(app)
              for method in route.methods if not method.internal}
    documented = {(path, method.upper()) for path, methods in document()["paths"].items()
                  for method in methods}
    assert served == documented
    assert api.get("/v1/openapi.json").json == document()


def answer_schema(path: str, method: str, status: int) -> Draft202012Validator:
    spec = document()
    response = spec["paths"][path][method.lower()]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": spec["components"]})


def conforms(answer, path: str, method: str = "GET") -> None:
    answer_schema(path, method, answer.status_code).validate(answer.json)


def test_real_answers_are_what_the_document_says(api: Client, store: Store) -> None:
    line = add_line(store)
    inbound = texted(store, line, CUSTOMER, "hello?")
    nobody = api.as_agent(NOBODY.pw_uid)
    sent = nobody.post("/v1/messages", {"to": "+14155550124", "text": "hi"})
    conforms(sent, "/v1/messages", "POST")
    warned = api.post("/v1/messages", {"to": "+14155550124", "text": "hi", "at":
                                       "2099-01-01 09:00".replace("2099", _next_year())})
    assert warned.json["warnings"] and warned.json["status"] == "scheduled"
    conforms(warned, "/v1/messages", "POST")
    conforms(api.post(f"/v1/messages/{inbound}/reply", {"text": "yes"}),
             "/v1/messages/{id}/reply", "POST")
    conforms(api.get(f"/v1/messages/{sent.json['id']}"), "/v1/messages/{id}")
    conforms(api.get(f"/v1/messages/{inbound}"), "/v1/messages/{id}")
    conforms(api.get("/v1/messages", direction="in"), "/v1/messages")
    conforms(api.post(f"/v1/messages/{warned.json['id']}/cancel"), "/v1/messages/{id}/cancel",
             "POST")
    claims.claim(store, CUSTOMER, "alice")
    conforms(api.get("/v1/conversations"), "/v1/conversations")
    conforms(api.post("/v1/conversations/%2B14155550123/claim", {"force": True}),
             "/v1/conversations/{peer}/claim", "POST")
    conforms(api.post("/v1/conversations/%2B14155550123/release"),
             "/v1/conversations/{peer}/release", "POST")
    conforms(api.get("/v1/lines"), "/v1/lines")
    conforms(api.get("/v1/health"), "/v1/health")


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("POST", "/v1/messages", {"to": "nobody"}, 400),
    ("GET", "/v1/messages/{id}", None, 404),
    ("POST", "/v1/messages/{id}/cancel", None, 409),
])
def test_errors_are_what_the_document_says(api: Client, method, path, body, status) -> None:
    sent = api.send()
    api.post(f"/v1/messages/{sent['id']}/cancel")
    real = path.replace("{id}", str(sent["id"] + 5 if status == 404 else sent["id"]))
    answer = api.request(method, real, body)
    assert answer.status_code == status
    conforms(answer, path, method)


def _next_year() -> str:
    from datetime import date  # noqa: PLC0415

    return str(date.today().year + 1)
