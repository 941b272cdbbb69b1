"""The desk: the rules every front end (the CLI, the HTTP API and the terminal desk)
applies the same way: who may be sent what, and what a name stands for.

It sits between the front ends and the store, and knows no AT, HTTP or printing:
each function takes a Store and plain values, and returns plain values or raises
InvalidInputError saying what was wrong, why, and what to do.

Its modules are imported by name (modemd.desk.sending, ...), each when first needed.
"""
