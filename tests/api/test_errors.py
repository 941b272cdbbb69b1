"""Each kind of failure gets its status, and keeps the words it was raised with."""

from __future__ import annotations

import logging

import pytest

from modemd.api import identity
from modemd.api.errors import translated
from modemd.errors import InvalidInputError
from modemd.store import (
    IllegalTransition,
    NotFound,
    StoreCorrupt,
    StoreFull,
    StoreLocked,
    StoreReadOnly,
)


@pytest.mark.parametrize(("error", "status"), [
    (InvalidInputError("not a valid number"), 400),
    (NotFound("no outbound message 9"), 404),
    (IllegalTransition("message 9 cannot go from delivered to queued"), 409),
    (StoreFull("the disk is full"), 507),
    (StoreLocked("the database is locked"), 503),
    (StoreReadOnly("the database is read-only"), 503),
    (StoreCorrupt("the database is damaged"), 503),
    (identity.Forbidden("alice may not act for 'bob'", "leave operator out"), 403),
])
def test_each_failure_has_its_status_and_its_own_words(error: Exception, status: int) -> None:
    answer = translated(error, "unix")
    assert (answer.status, answer.error) == (status, getattr(error, "error", str(error)))
    assert answer.hint and answer.headers == {}


def test_a_401_asks_for_a_bearer_token_on_tcp_only() -> None:
    refused = identity.Unauthorized("no bearer token", "make one")
    assert translated(refused, "tcp").headers == {"WWW-Authenticate": "Bearer"}
    assert translated(refused, "unix").headers == {}
    assert translated(refused, "tcp").status == 401


def test_a_bug_is_a_500_and_its_traceback_goes_to_the_log(
        caplog: pytest.LogCaptureFixture) -> None:
    try:
        {}["missing"]
    except KeyError as error:
        with caplog.at_level(logging.ERROR, logger="modemd.api.errors"):
            answer = translated(error, "unix")
    assert answer.status == 500 and "KeyError" in answer.error and "bug" in answer.hint
    assert caplog.records[-1].exc_info is not None
