"""Byte-level tests of the fake-modem emulator."""
