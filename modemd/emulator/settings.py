"""TA settings that ATZ / AT&F reset: echo, result format, SMS modes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from modemd.emulator.profiles import Profile


@dataclass
class Settings:
    echo: bool = True
    verbose: bool = True
    quiet: bool = False
    cmee: int = 0
    cmgf: int = 0  # 0 PDU, 1 text
    cscs: str = "IRA"
    csdh: int = 0
    csms: int = 0
    cnmi: list[int] = field(default_factory=lambda: [1, 1, 0, 0, 0])
    cpms: list[str] = field(default_factory=lambda: ["SM", "SM", "SM"])
    csmp: list[int] = field(default_factory=lambda: [17, 167, 0, 0])  # fo, vp, pid, dcs
    csca: tuple[str, int] = ("+15550000000", 145)
    creg: int = 0
    cgreg: int = 0
    cops_format: int = 0
    curc: int = 1  # vendor periodic URCs on (Huawei ^CURC)
    s3: int = 13
    s4: int = 10
    s5: int = 8
    s_registers: dict[int, int] = field(default_factory=dict)

    @classmethod
    def defaults(cls, profile: Profile) -> Settings:
        memory = "SM" if "SM" in profile.storage else profile.memories[0]
        return cls(cnmi=list(profile.cnmi_default), cpms=[memory] * 3)
