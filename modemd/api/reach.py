"""How a command reaches the desk: in its own process on a database it may write, as
always (the daemon may be stopped); else through the daemon's API socket, as the Unix
user it runs as. Both call the same handlers (api/invoke.py), so a command prints the
same and exits the same either way.

The appliance makes the database writable by the daemon's user alone: an agent then
sends through the socket, and the kernel, not a --operator, says who they are."""

from __future__ import annotations

import getpass
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from modemd.api import address
from modemd.api.calls import Api
from modemd.api.identity import Agent
from modemd.api.invoke import invoke
from modemd.config import Config
from modemd.errors import ModemdError
from modemd.store import DaemonLock, Store, StoreError, StoreReadOnly

if TYPE_CHECKING:
    from modemd.api.client import Client

GRACE_SECONDS = 8.0  # a starting daemon serves its socket long before this
RETRY_SECONDS = 0.25
PROBE_SECONDS = 5.0  # a hung daemon is not waited on for the whole request timeout


class Desk(Protocol):
    remote: bool

    def call(self, operation: str, *, params: dict[str, Any] | None = None,
             query: dict[str, Any] | None = None, body: dict[str, Any] | None = None
             ) -> Any: ...


class Local:
    """The database itself: whoever may write it may write anything into it, so the
    user is an admin, and --operator names whom the audit records."""

    remote = False

    def __init__(self, store: Store, config: Config) -> None:
        self.store, self.config = store, config
        self.api, self.agent = Api(store, config), Agent(getpass.getuser(), admin=True)

    def call(self, operation: str, **inputs: Any) -> Any:
        return invoke(self.api, self.agent, operation, **inputs)


class Remote:
    """The daemon's API over its socket: the agent is the connecting user."""

    remote = True

    def __init__(self, client: Client) -> None:
        self.client = client

    def call(self, operation: str, **inputs: Any) -> Any:
        return self.client.call(operation, **inputs)


@contextmanager
def reach(config: Config, *, create: bool = False) -> Iterator[Local | Remote]:
    """The desk for config's database: Local when it opens for writing; Remote when it
    cannot be written but the daemon's socket answers; else the opening's error, saying
    why the socket was no way round it either. create: as Store's."""
    try:
        store = Store(config.database, create=create)
    except StoreError as error:
        if not unwritable(error):
            raise
        yield Remote(client_for(config, error))
        return
    try:
        yield Local(store, config)
    finally:
        store.close()


def unwritable(error: StoreError) -> bool:
    """The database is there but this user may not write it (or even look at it)."""
    return isinstance(error, StoreReadOnly) or isinstance(error.__cause__, PermissionError)


def client_for(config: Config, error: StoreError) -> Client:
    """A client of the daemon that serves config's database, waiting up to
    GRACE_SECONDS for one that is starting or stopping; error, with why the socket is no way round
    it, when there is none."""
    deadline = time.monotonic() + GRACE_SECONDS
    while True:
        client, why, transient = _attempt(config)
        if client is not None:
            return client
        if not transient or time.monotonic() >= deadline:
            break
        time.sleep(RETRY_SECONDS)
    raise type(error)(f"this needs the daemon, and its API cannot be reached ({why}): is "
                      "`modemd run` running (on the appliance: systemctl status modemd)? "
                      f"Without it this user may not work on the database: {error}"
                      ) from error


def _starting(database: Path) -> bool:
    try:
        return DaemonLock.held(database) is True
    except OSError:  # a folder this user may not enter
        return False


def _attempt(config: Config) -> tuple[Client | None, str, bool]:
    """A client of the daemon serving this database; else why not, and whether that may
    pass by itself: no socket yet while a daemon holds the database's lock (it is
    starting), or a socket nobody answers on (a daemon stopping or starting)."""
    from modemd.api.client import Client  # noqa: PLC0415  (http.client: only agents need it)

    path, why = address.found(config)
    if path is None:
        return None, why, why.startswith("no socket") and _starting(config.database)
    client = Client(path)
    try:
        about = client.call("get_about", timeout=PROBE_SECONDS)
    except ConnectionError as failure:
        if isinstance(failure.__cause__, PermissionError):  # its mode is set just after bind
            return None, address.out_of_reach(path), _starting(config.database)
        return None, str(failure), True
    except ModemdError as failure:
        return None, str(failure), False
    served = about["database"]
    if os.path.realpath(served) != os.path.realpath(config.database):  # another daemon's
        return None, f"the daemon at {path} serves {served}, not {config.database}", False
    return client, "", False
