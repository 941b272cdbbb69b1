"""The desk: the rules every front end (the CLI now; an HTTP API or a terminal UI
later) applies the same way: who may be sent what, and what a name stands for.

It sits between the front ends and the store, and knows no AT, HTTP or printing:
each function takes a Store and plain values, and returns plain values or raises
InvalidInputError saying what was wrong, why, and what to do.
"""

from modemd.desk.people import peer_for
from modemd.desk.sending import Sent, send

__all__ = ["Sent", "peer_for", "send"]
