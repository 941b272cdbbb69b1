"""AT command handlers of the emulated modem, one module per family."""
