"""Opening a port by path or pyserial URL, bytes in and out, reopen. Knows no AT syntax."""

from modemd.transport.port import PortLost, PortUnavailable, SerialTransport, TransportError

__all__ = ["PortLost", "PortUnavailable", "SerialTransport", "TransportError"]
