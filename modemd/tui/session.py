"""What the terminal desk asks the desk, and nothing else: every read and every action
is an API operation through reach() (api/reach.py), as the CLI's commands call them,
so a refusal is the same ApiError with the same words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from modemd.api.reach import Local, Remote
from modemd.desk import when

THREAD_LIMIT = 200
CONVERSATION_LIMIT = 1000  # the list and a search show this many at most


@dataclass(frozen=True)
class Focus:
    """The line `--line NAME` names: its conversations are shown, its sends leave from it."""

    asked: str
    shown: frozenset[str]  # how conversations name it: own number, name or IMSI

    def has(self, conversation: dict) -> bool:
        return conversation.get("line") in self.shown


class Session:
    """One agent at the desk: the desk (Local or Remote) and the line in focus."""

    def __init__(self, desk: Local | Remote, line: str | None = None) -> None:
        self.desk = desk
        self.focus = None if line is None else focused(
            self.call("get_line", params={"line": line}), line)

    def call(self, operation: str, **inputs: Any) -> Any:
        return self.desk.call(operation, **inputs)

    def lines(self) -> dict:
        return self.call("list_lines")

    def conversations(self) -> list[dict]:
        rows = self.call("list_conversations", query={"limit": str(CONVERSATION_LIMIT)})
        return rows if self.focus is None else [r for r in rows if self.focus.has(r)]

    def open(self, peer: str) -> dict:
        """The thread, its inbound messages read from now on (as `modemd thread`)."""
        return self.call("read_conversation", params={"peer": peer},
                         query={"limit": str(THREAD_LIMIT)})

    def send(self, peer: str, text: str, at: str | None = None) -> dict:
        """A text to the peer, as `modemd send` queues it (from the line in focus, else
        the one this contact last talked to); at: --at's WHEN."""
        moment = None if at is None else when.parse(at).isoformat()
        return self.call("send_message", body={
            "to": peer, "text": text, "at": moment,
            "line": None if self.focus is None else self.focus.asked})

    def claim(self, peer: str) -> dict:
        return self.call("claim_conversation", params={"peer": peer}, body={})

    def release(self, peer: str) -> dict:
        return self.call("release_conversation", params={"peer": peer}, body={})

    def search(self, words: str) -> set[str]:
        """The peers whose number, contact name or any message's text contains words."""
        found = self.call("list_conversations",
                          query={"search": words, "limit": str(CONVERSATION_LIMIT)})
        return {row["peer"] for row in found}


def focused(line: dict, asked: str) -> Focus:
    """The line asked for (get_line's answer): how conversations name it."""
    shown = {line.get(k) for k in ("own_number", "name", "imsi") if line.get(k)}
    return Focus(asked, frozenset(shown))


def oldest_unread(conversations: list[dict]) -> dict | None:
    """Where the desk opens: the unread conversation waiting longest, else the newest."""
    unread = [row for row in conversations if row.get("unread")]
    if unread:
        return min(unread, key=lambda row: row.get("last_at") or "")
    return conversations[0] if conversations else None
