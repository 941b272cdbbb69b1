"""Faults and awkward timing a tester switches on through the control interface."""

from __future__ import annotations

from dataclasses import dataclass

URC_MODES = ("immediate", "in_response", "after_prompt", "coalesce")
DEFAULT_NOISE = b"\x00\xff\xfe\x80~\xc3(garbage\x9b\r\n"


@dataclass
class Faults:
    hang: bool = False  # reads and answers nothing
    wake_on_esc: bool = False  # an ESC ends the hang (some firmware does)
    slow: float = 0.0  # seconds before each answer
    cms_code: int = 0  # +CMS ERROR for the next cms_count sends
    cms_count: int = 0
    drop_reports: bool = False  # the network never sends this line a status report
    network_state: int | None = None  # forced +CREG <stat>; None = normal service
    noise: bytes = DEFAULT_NOISE
    noise_count: int = 0  # answers to prefix with noise

    def take_cms(self) -> int | None:
        """The injected error for this send, if any."""
        if self.cms_count <= 0:
            return None
        self.cms_count -= 1
        return self.cms_code


@dataclass
class Timing:
    urc_mode: str = "immediate"  # one of URC_MODES
    split_pdu: bool = False  # +CMT/+CDS header and PDU line in separate writes
    split_gap: float = 0.02
    hold_max: float = 5.0  # held URCs go out after this even if no command comes
    coalesce_window: float = 0.1
