"""Wiring a modem to the store: sender, receiver, monitor, retry policy."""
