"""GSM SMS codec: TS 23.040 PDUs and TS 23.038 alphabets.

Knows nothing of AT, serial ports or SQLite. Decoders never raise (Undecodable instead);
encoders raise InvalidInputError saying what is wrong and what to do.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> the submodule that defines it. Imported on first use (PEP 562), so a command
# that only needs numbers.py (`modemd inbox` checks none, `send` encodes) loads no
# more of the codec than it uses.
_WHERE = {
    "Address": "address",
    "Concat": "userdata",
    "Deliver": "tpdu",
    "Encoding": "dcs",
    "OutboundPdu": "encode",
    "ReportOutcome": "tpdu",
    "SplitPlan": "split",
    "StatusReport": "tpdu",
    "Submit": "tpdu",
    "Undecodable": "tpdu",
    "UserData": "userdata",
    "decode_from_ms": "tpdu",
    "decode_from_sc": "tpdu",
    "deliver_user_data": "split",
    "encode_deliver": "encode",
    "encode_status_report": "encode",
    "encode_submit": "encode",
    "split_text": "split",
}

if TYPE_CHECKING:
    from modemd.sms.address import Address
    from modemd.sms.dcs import Encoding
    from modemd.sms.encode import (
        OutboundPdu,
        encode_deliver,
        encode_status_report,
        encode_submit,
    )
    from modemd.sms.split import SplitPlan, deliver_user_data, split_text
    from modemd.sms.tpdu import (
        Deliver,
        ReportOutcome,
        StatusReport,
        Submit,
        Undecodable,
        decode_from_ms,
        decode_from_sc,
    )
    from modemd.sms.userdata import Concat, UserData


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value  # found directly from now on
    return value


__all__ = [
    "Address",
    "Concat",
    "Deliver",
    "Encoding",
    "OutboundPdu",
    "ReportOutcome",
    "SplitPlan",
    "StatusReport",
    "Submit",
    "Undecodable",
    "UserData",
    "decode_from_ms",
    "decode_from_sc",
    "deliver_user_data",
    "encode_deliver",
    "encode_status_report",
    "encode_submit",
    "split_text",
]
