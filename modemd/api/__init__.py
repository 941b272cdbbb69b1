"""The HTTP API that `modemd run` serves: the same desk functions as the CLI, over a Unix
socket (the agent is the connecting process's user, from the kernel) and optionally
TCP with bearer tokens; an event stream (SSE) of the same events as `modemd watch`."""
