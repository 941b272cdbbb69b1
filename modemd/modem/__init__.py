"""GSM verbs over the AT channel: init, identity, PIN, storage, send, read, delete.

Knows no SQLite.
"""
