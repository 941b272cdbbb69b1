"""Who an emulated line is: number, IMEI, IMSI, ICCID, PIN, profile."""

from __future__ import annotations

from dataclasses import dataclass


def luhn_digit(digits: str) -> str:
    """Check digit that makes digits+check pass the Luhn test (IMEI, ICCID)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class LineSpec:
    name: str
    number: str  # E.164 with "+"
    imei: str
    imsi: str
    iccid: str
    profile: str = "generic"
    number_on_sim: bool = True  # does +CNUM know it
    pin: str = "0000"
    pin_enabled: bool = False
    puk: str = "12345678"
    rssi: int = 20

    @classmethod
    def numbered(cls, index: int, **overrides: object) -> LineSpec:
        """The index-th default line (1-based): fictional but valid NANP 555-01xx numbers."""
        if not 1 <= index <= 99:
            raise ValueError("emulated lines are numbered 1 to 99")
        imei = f"35000000{index:06d}"
        iccid = f"8900101000000{index:06d}"
        values: dict[str, object] = {
            "name": f"line{index}",
            "number": f"+120155501{index:02d}",
            "imei": imei + luhn_digit(imei),
            "imsi": f"00101{index:010d}",
            "iccid": iccid + luhn_digit(iccid),
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
