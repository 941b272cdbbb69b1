"""Builds the objects, supervises one worker per modem, scheduler jobs, signals, sd_notify."""

from modemd.daemon.supervisor import Daemon

__all__ = ["Daemon"]
