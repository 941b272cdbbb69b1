"""`modemd desk`: conversations on the left, the open thread on the right, the compose
box below, all kept current by the event outbox (api/follow.py in a worker thread).

Every read and action is an API operation (session.py), so a refusal shows in the
CLI's words and queues nothing; the screen only words the answers (render.py)."""

from __future__ import annotations

import os
import threading

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, OptionList, Static

from modemd.api.follow import follow, halt
from modemd.desk.claims import claimed_words, named, released_words
from modemd.errors import ModemdError
from modemd.tui import render
from modemd.tui.session import Session, oldest_unread
from modemd.tui.widgets import (
    Away,
    ComposeBox,
    Conversations,
    Followed,
    KeysScreen,
    Notice,
    Thread,
)

LIVENESS_SECONDS = 15.0  # a daemon that died writes no event: its heartbeat says so
Failure = (ModemdError, OSError)  # a refusal (ApiError among them), or no daemon to ask


class DeskApp(App[None]):
    """The terminal desk on one session (a Local or Remote desk)."""

    TITLE = "modemd desk"
    CSS_PATH = "desk.tcss"  # beside this module, shipped as package data
    BINDINGS = [
        Binding("slash", "search", "Search"), Binding("c", "claim", "Claim"),
        Binding("r", "release", "Release"),
        Binding("ctrl+s", "schedule", "Schedule", priority=True),
        Binding("question_mark", "keys", "Keys"), Binding("escape", "back", show=False),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(self, session: Session) -> None:
        # NO_COLOR: Textual drops every colour only when it draws in ANSI colours (else it
        # turns them into greys); what colour marked, reverse and bold mark instead (CSS)
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        self.session, self.peer = session, None
        self.rows: list[dict] = []
        self.matches: set[str] | None = None  # a search's peers; None: no search
        self.status: dict = {}
        self.away: str | None = None
        self.stop = threading.Event()

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="main"):
            with Vertical(id="side"):
                yield Input(placeholder="Search contacts and text", id="search")
                yield Conversations(id="list")
            yield Thread(id="thread")
        yield Notice(id="notice")
        yield ComposeBox()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#thread", Thread).border_title = "no conversation"
        self.reload()
        first = oldest_unread(self.rows)
        if first is not None:
            self.open(first["peer"])
        self.query_one("#list", Conversations).focus()
        self.follow_events()
        self.set_interval(LIVENESS_SECONDS, self.show_status)

    def on_unmount(self) -> None:
        halt(self.session.desk, self.stop)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def follow_events(self) -> None:
        for event in follow(self.session.desk, None, stop=self.stop,
                            away=lambda why: self.post_message(Away(why)),
                            ready=lambda: self.post_message(Followed({}))):
            self.post_message(Followed(event))

    # ---- what the event stream says ----------------------------------------------------

    def on_followed(self, message: Followed) -> None:
        event = message.event
        if event.get("event") in (None, "line"):  # {}: following began, read all again
            self.show_status()
        if event.get("event") != "line":
            self.reload()
            if self.peer is None:  # nothing open yet: the first conversation to come in
                first = oldest_unread(self.rows)
                if first is not None:
                    self.open(first["peer"])
            elif event.get("peer") in (None, self.peer):
                self.open(self.peer, quiet=True)

    def on_away(self, message: Away) -> None:
        self.away = message.why
        self.show_status()
        if message.why is None:
            self.reload()

    def reload(self) -> None:
        """The conversation list as the desk has it now (and the status bar)."""
        try:
            self.rows = self.session.conversations()
        except Failure as error:
            self.refused(error)
            return
        shown = [r for r in self.rows if self.matches is None or r["peer"] in self.matches]
        self.query_one("#list", Conversations).show(shown, self.peer)
        self.show_status()

    def show_status(self) -> None:
        bar = self.query_one("#status", Static)
        try:
            self.status = self.session.lines()
        except Failure as error:
            self.status = {"daemon": {"state": "away", "text": str(error)}}
        said = render.trouble(self.status)
        if self.away is not None:
            said.insert(0, f"the daemon's API cannot be reached ({self.away}); reconnecting")
        bar.set_class(bool(said), "trouble")
        bar.update(" | ".join(said) if said else render.lines_summary(self.status))

    # ---- the conversation and its thread -----------------------------------------------

    def open(self, peer: str, *, quiet: bool = False) -> None:
        """Show the thread with peer; its inbound messages are read from now on."""
        try:
            thread = self.session.open(peer)
        except Failure as error:
            self.refused(error)
            return
        self.peer = thread["peer"]
        row = next((r for r in self.rows if r["peer"] == self.peer), {})
        title = named(self.peer, thread.get("contact"))
        if row.get("claimed_by"):
            title += f" · claimed by {row['claimed_by']}"
        if row.get("opted_out"):
            title += " · opted out"
        view = self.query_one("#thread", Thread)
        view.set_class(bool(row.get("opted_out")), "opted-out")
        view.show(title, thread["messages"])
        if not quiet and thread.get("marked"):
            self.reload()  # its unread count is gone

    @on(OptionList.OptionHighlighted, "#list")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and event.option.id != self.peer:
            self.open(event.option.id)

    @on(OptionList.OptionSelected, "#list")
    def selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None and event.option.id != self.peer:
            self.open(event.option.id)
        self.query_one("#text", Input).focus()

    # ---- acting ------------------------------------------------------------------------

    @on(Input.Submitted, "#text")
    def send_now(self, event: Input.Submitted) -> None:
        self.send(event.value, None)

    @on(Input.Submitted, "#at")
    def send_later(self, event: Input.Submitted) -> None:
        self.send(self.query_one("#text", Input).value, event.value)

    def send(self, text: str, at: str | None) -> None:
        if self.peer is None:
            self.notice("Error: no conversation open: pick one, or / and a number",
                        error=True)
            return
        try:
            sent = self.session.send(self.peer, text, at)
        except Failure as error:
            self.refused(error)
            return
        self.query_one("#text", Input).clear()
        self.hide_at()
        self.notice(self.queued(sent))
        self.reload()
        self.open(self.peer, quiet=True)

    def queued(self, sent: dict) -> str:
        parts = f"{sent['parts']} part{'s' if sent['parts'] != 1 else ''}"
        said = [f"#{sent['id']} {sent['status']} to {sent['peer']} ({parts}, "
                f"{render.ENCODINGS.get(sent['encoding'], sent['encoding'])})"]
        said += [f"Warning: {warning}" for warning in sent.get("warnings", ())]
        if (self.status.get("daemon") or {}).get("state") not in render.RUNNING:
            said.append(f"the daemon is not running: {render.SEND_ANYWAY}")
        return "; ".join(said)

    def action_claim(self) -> None:
        self.claim_or_release("claim")

    def action_release(self) -> None:
        self.claim_or_release("release")

    def claim_or_release(self, what: str) -> None:
        if self.peer is None:
            self.notice("Error: no conversation open", error=True)
            return
        try:
            done = getattr(self.session, what)(self.peer)
        except Failure as error:
            self.refused(error)
            return
        self.notice(claimed_words(done) if what == "claim" else released_words(done))
        self.reload()
        self.open(self.peer, quiet=True)

    def action_schedule(self) -> None:
        at = self.query_one("#at", Input)
        at.remove_class("hidden")
        at.focus()

    def hide_at(self) -> None:
        at = self.query_one("#at", Input)
        at.clear()
        at.add_class("hidden")

    # ---- searching, moving, keys -------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.add_class("shown")
        search.focus()

    @on(Input.Changed, "#search")
    def searching(self, event: Input.Changed) -> None:
        self.search_for(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def search_for(self, words: str) -> None:
        """Off the screen's thread: on a big desk a search takes tens of ms, once a key."""
        try:
            matches = self.session.search(words) if words.strip() else None
        except Failure as error:
            self.call_from_thread(self.refused, error)
            return
        self.call_from_thread(self.found, words, matches)

    def found(self, words: str, matches: set[str] | None) -> None:
        if words == self.query_one("#search", Input).value:  # else a newer search is due
            self.matches = matches
            self.reload()

    @on(Input.Submitted, "#search")
    def searched(self, event: Input.Submitted) -> None:
        """Enter opens the first match; with none, the words as a new peer (a number or
        a contact's name), refused in the CLI's words when they are neither."""
        words = event.value.strip()
        try:
            self.matches = self.session.search(words) if words else None  # not one due
        except Failure as error:
            self.refused(error)
            return
        found = [r["peer"] for r in self.rows if self.matches is None or r["peer"] in self.matches]
        self.open(found[0] if found else words)
        self.query_one("#text", Input).focus()

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if self.query_one("#at", Input).has_focus:
            self.hide_at()
            self.query_one("#text", Input).focus()
            return
        if search.has_focus or self.matches is not None:
            search.clear()
            search.remove_class("shown")
            self.matches = None
            self.reload()
        self.query_one("#list", Conversations).focus()

    def action_keys(self) -> None:
        self.push_screen(KeysScreen())

    def refused(self, error: Exception) -> None:
        self.notice(f"Error: {error}", error=True)

    def notice(self, text: str, *, error: bool = False) -> None:
        self.query_one("#notice", Notice).say(text, error=error)
