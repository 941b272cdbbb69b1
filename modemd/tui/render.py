"""How the terminal desk words what the API answers: a conversation's row, a message
with its delivery tick, the lines and the daemon when they are in trouble, and the
compose box's parts and encoding (the sms layer's own split, which sending uses).

Every mark has a word beside it or instead of it, so NO_COLOR loses nothing."""

from __future__ import annotations

from rich.text import Text

from modemd.desk.claims import clock
from modemd.errors import ModemdError
from modemd.sms import split_text

TICKS = {  # outbound status -> the mark the thread shows
    "scheduled": "⏲ scheduled", "queued": "◷ queued", "sending": "… sending",
    "sent": "✓ sent", "delivered": "✓✓ delivered", "failed": "✗ failed",
    "expired": "✗ expired", "unknown": "? unknown", "cancelled": "- cancelled",
}
TICK_STYLES = {"delivered": "green", "sent": "green", "failed": "red", "expired": "red",
               "unknown": "yellow", "cancelled": "dim"}
ENCODINGS = {"gsm7": "GSM-7", "ucs2": "UCS-2"}
RUNNING = ("running", "starting")
SEND_ANYWAY = "sending still queues, and it goes out once the daemon runs"


def conversation(row: dict, width: int = 24) -> Text:
    """Two lines, each cut to the list's width: who (unread count, claim) and the last
    text; an opted-out one greyed and marked so."""
    who = row.get("contact") or row["peer"]
    head = Text(who, style="bold" if row.get("unread") else "")
    if row.get("unread"):
        head.append(f" ({row['unread']})", style="bold cyan")
    if row.get("claimed_by"):
        head.append(f" @{row['claimed_by']}", style="magenta")
    text = (row.get("last_text") or "").replace("\n", " ")
    arrow = {"in": "← ", "out": "→ "}.get(row.get("last_direction") or "", "")
    if row.get("opted_out"):  # said first: a narrow list cuts the end off
        head = Text.assemble("⊘ ", head)
        arrow = "opted out " + arrow
    head.truncate(width, overflow="ellipsis")
    last = Text(arrow + text, style="dim")
    last.truncate(width, overflow="ellipsis")
    return Text.assemble(head, "\n", last, style="dim strike" if row.get("opted_out") else "")


def message(entry: dict) -> Text:
    """One message of a thread: direction, time, tick (outbound) or keyword, and text."""
    inbound = entry.get("direction") == "in"
    stamp = entry.get("created_at")
    head = Text("← " if inbound else "→ ", style="bold cyan" if inbound else "bold")
    head.append(clock(stamp) if stamp else "--:--")
    if inbound:
        if entry.get("keyword"):
            head.append(f" {str(entry['keyword']).upper()}", style="bold yellow")
        if entry.get("status") == "incomplete":
            head.append(f" incomplete ({entry.get('parts_received')} of "
                        f"{entry.get('parts')} parts)", style="yellow")
    else:
        head.append(f"  {_tick(entry)}", style=TICK_STYLES.get(entry.get("status"), ""))
        if entry.get("operator"):
            head.append(f"  {entry['operator']}", style="magenta")
    return Text.assemble(head, "\n", entry.get("text") or "")


def _tick(entry: dict) -> str:
    status = entry.get("status") or "?"
    tick = TICKS.get(status, status)
    if status == "scheduled" and entry.get("scheduled_for"):
        tick += f" for {clock(entry['scheduled_for'])}"
    if status in ("failed", "expired", "unknown") and entry.get("error"):
        tick += f" ({entry['error']})"
    return tick


def preview(text: str) -> str:
    """What the text costs as it is typed: encoding, parts, characters."""
    if not text:
        return "GSM-7 · 0 parts"
    try:
        plan = split_text(text)
    except ModemdError as error:
        return f"cannot be sent: {error}"
    count = len(plan.parts)
    encoding = ENCODINGS.get(plan.encoding.value, plan.encoding.value)
    return f"{encoding} · {count} part{'s' if count != 1 else ''} · {len(text)} chars"


def trouble(status: dict) -> list[str]:
    """What an agent should know before sending: the daemon not running, and each line
    that is not ok (paused, offline, no service...)."""
    said = []
    daemon = status.get("daemon") or {}
    if daemon.get("state") not in RUNNING:
        said.append(f"Daemon: {daemon.get('text') or daemon.get('state')}; {SEND_ANYWAY}")
    for line in status.get("lines", []):
        if line.get("state") != "ok":
            name = line.get("name") or line.get("own_number") or f"line {line.get('id')}"
            reason = f" ({line['reason']})" if line.get("reason") else ""
            said.append(f"{name}: {str(line.get('state')).replace('_', ' ')}{reason}")
    return said


def lines_summary(status: dict) -> str:
    """The status bar when nothing is wrong: each line and its state."""
    shown = [f"{line.get('own_number') or line.get('name')} {line.get('state')}"
             for line in status.get("lines", [])]
    return " · ".join(shown) or "no lines yet"
