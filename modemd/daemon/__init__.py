"""Builds the objects, supervises one worker per modem, scheduler jobs, signals."""
