"""A request's inputs, checked against the route's schemas (openapi.py) before any
handler runs: the JSON body, the query string and the path's id. Anything off is a 400
saying which field and what it should be, and nothing is done."""

from __future__ import annotations

import difflib
import json
from typing import Any, BinaryIO

from modemd.api.refusals import ApiError

BODY_HINT = ('send a JSON object, e.g. curl -H "Content-Type: application/json" -d '
             '\'{"to": "+14155550123", "text": "hello"}\'; GET /v1/openapi.json has '
             "each endpoint's fields")
QUERY_HINT = "GET /v1/openapi.json lists each endpoint's parameters"
MAX_BODY = 64 * 1024  # a text is a few hundred characters; more is a mistake or abuse
_TYPES = {"string": str, "integer": int, "boolean": bool, "number": (int, float)}
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")


def read(stream: BinaryIO, length: int | None) -> bytes:
    """The request's body, refused (413) past MAX_BODY bytes before it is all read."""
    raw = b"" if length == 0 else stream.read(MAX_BODY + 1)
    if (length or 0) > MAX_BODY or len(raw) > MAX_BODY:
        raise ApiError(413, f"the body is over {MAX_BODY} bytes, the most an API call takes",
                       "send one text per call; a text is at most a few thousand characters")
    return raw


def parsed(raw: bytes) -> Any:
    """The body's JSON; an empty body is {} (a body whose fields are all optional)."""
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except ValueError as error:  # UnicodeDecodeError is one too
        raise ApiError(400, f"the body is not JSON: {error}", BODY_HINT) from None


def fields(data: Any, schema: dict) -> dict:
    """A parsed body checked against its schema: an object of known fields, the required
    ones present, each of its type."""
    if not isinstance(data, dict):
        raise ApiError(400, f"the body is a JSON {type(data).__name__}, not an object",
                       BODY_HINT)
    _known(data, schema["properties"], "field", "in the body", BODY_HINT)
    for name in schema["required"]:
        if name not in data:
            raise ApiError(400, f'the body needs "{name}": '
                           f"{_lower(schema['properties'][name]['description'])}", BODY_HINT)
    for name, value in data.items():
        _check_value(name, value, schema["properties"][name])
    return data


def _check_value(name: str, value: object, schema: dict) -> None:
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if not any(_is(value, kind) for kind in kinds):
        raise ApiError(400, f'"{name}" is {json.dumps(value)}, but it must be '
                       f"{' or '.join(_NAMES[kind] for kind in kinds)}: "
                       f"{_lower(schema['description'])}", BODY_HINT)
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        raise ApiError(400, f'"{name}" is empty: {_lower(schema["description"])}', BODY_HINT)


def _lower(description: str) -> str:
    """A schema's description, capitalised for the document, inside a sentence."""
    return description[:1].lower() + description[1:]


_NAMES = {"string": "a string", "integer": "a whole number", "boolean": "true or false",
          "number": "a number"}


def _is(value: object, kind: str) -> bool:
    if isinstance(value, bool):  # JSON's true is no number
        return kind == "boolean"
    return isinstance(value, _TYPES[kind])


def query(params: dict[str, Any], parameters: tuple[dict, ...]) -> dict:
    """The query string's values by name, converted to the parameters' types; defaults
    filled in, unknown names refused (a typo would quietly change the answer)."""
    wanted = {p["name"]: p for p in parameters if p["in"] == "query"}
    _known(params, wanted, "parameter", "in the query", QUERY_HINT)
    found = {}
    for name, parameter in wanted.items():
        value = params.get(name)
        if isinstance(value, list):
            raise ApiError(400, f"{name} is given {len(value)} times: give it once",
                           QUERY_HINT)
        if value is None:
            if parameter["required"]:
                raise ApiError(400, f"the query needs {name}: "
                               f"{_lower(parameter['description'])}", QUERY_HINT)
            found[name] = parameter["schema"].get("default")
        else:
            found[name] = converted(name, value, parameter["schema"], parameter["description"])
    return found


def converted(name: str, text: str, schema: dict, description: str) -> Any:
    """A query or header value as its schema's type: integer (>= minimum), boolean,
    one of an enum, or the string itself."""
    if "enum" in schema:
        if text not in schema["enum"]:
            raise ApiError(400, f"{name}={text!r} is not one of "
                           f"{', '.join(map(str, schema['enum']))}", QUERY_HINT)
        return text
    if schema.get("type") == "integer":
        return whole(name, text, schema.get("minimum", 0))
    if schema.get("type") == "number":
        return _number(name, text, schema.get("minimum", 0))
    if schema.get("type") == "boolean":
        if text.lower() not in _TRUE + _FALSE:
            raise ApiError(400, f"{name}={text!r}: give true or false ({description})",
                           QUERY_HINT)
        return text.lower() in _TRUE
    return text


def _number(name: str, text: str, minimum: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= minimum or value == float("inf"):  # nan compares false
        raise ApiError(400, f"{name} {text!r} is not a number of {minimum:g} or more",
                       QUERY_HINT)
    return value


def whole(name: str, text: str, minimum: int = 0) -> int:
    """A whole number of at least minimum from a path, query or header."""
    if not text.strip().isdigit() or int(text) < minimum:
        raise ApiError(400, f"{name} {text!r} is not a whole number of {minimum} or more",
                       QUERY_HINT)
    return int(text)


def _known(given: dict, known: dict, what: str, where: str, hint: str) -> None:
    for name in given:
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            also = f"did you mean {close[0]!r}?" if close else (
                f"known: {', '.join(sorted(known)) or 'none'}")
            raise ApiError(400, f"unknown {what} {name!r} {where}; {also}", hint)
