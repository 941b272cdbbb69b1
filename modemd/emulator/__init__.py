"""A fake GSM modem: AT state machine, SIM, network, on ptys and pyserial URLs."""
