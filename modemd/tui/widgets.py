"""The terminal desk's parts: the conversation list, the thread, the compose box, the
status and notice lines, and the keys screen."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from modemd.tui import render


class Followed(Message):
    """An event object from the follower thread (api/follow.py)."""

    def __init__(self, event: dict) -> None:
        super().__init__()
        self.event = event


class Away(Message):
    """The daemon's API could not be reached (why), or is back (None)."""

    def __init__(self, why: str | None) -> None:
        super().__init__()
        self.why = why


class Conversations(OptionList):
    """One option per conversation; its id is the peer."""

    def show(self, rows: list[dict], selected: str | None) -> None:
        width = self.scrollable_content_region.width - 1  # 0 before the first layout
        self.clear_options()
        self.add_options([Option(render.conversation(row, width if width > 8 else 24),
                                 id=row["peer"]) for row in rows])
        peers = [row["peer"] for row in rows]
        if selected in peers:
            self.highlighted = peers.index(selected)


class Thread(VerticalScroll):
    """The selected conversation's messages, oldest first, the newest in view."""

    def show(self, title: str, messages: list[dict]) -> None:
        self.border_title = title
        self.remove_children()
        if not messages:
            self.mount(Static(Text("No messages yet: type below to text them.", style="dim")))
        self.mount_all(Static(render.message(entry), classes="message") for entry in messages)
        self.call_after_refresh(self.scroll_end, animate=False)


class Notice(Static):
    """One line saying what just happened: a refusal in the CLI's words, or a result."""

    def say(self, text: str, *, error: bool = False) -> None:
        self.set_class(error, "error")
        self.update(Text(text))


class ComposeBox(Vertical):
    """The text being written, what it costs (parts, encoding), and, for Ctrl-S, when."""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Type a text; Enter sends, Ctrl-S schedules", id="text")
        yield Input(placeholder="When? YYYY-MM-DD HH:MM (local) or ISO 8601; Enter "
                    "schedules, Esc cancels", id="at", classes="hidden")
        yield Static(render.preview(""), id="preview")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "text":
            self.query_one("#preview", Static).update(render.preview(event.value))


KEYS = (
    ("/", "search contacts and text; Enter opens"),
    ("c", "claim the open conversation"), ("r", "release it"),
    ("Enter", "send the text; in the list: write to it"),
    ("Ctrl-S", "schedule the text: asks when"),
    ("Tab", "next pane (Shift-Tab: back)"),
    ("Esc", "back to the list; ends a search"), ("?", "these keys"), ("q", "quit"),
    ("mouse", "click a conversation, the box, a key below"),
)


class KeysScreen(ModalScreen[None]):
    """Every key, and what the mouse does."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def compose(self) -> ComposeResult:
        text = Text("Keys\n\n", style="bold")
        for key, does in KEYS:
            text.append(f"{key:>7}  ", style="bold")
            text.append(does + "\n")
        text.append("\nEsc, ? or q closes this; a click too.", style="dim")
        yield Static(text, id="keys")

    def on_click(self) -> None:
        self.dismiss()
