"""Opening a port by path or pyserial URL, bytes in and out, reopen. Knows no AT syntax."""
