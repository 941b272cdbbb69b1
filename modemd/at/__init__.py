"""AT channel: lines, final result codes, the prompt, URCs, one command at a time. Knows no SMS."""
