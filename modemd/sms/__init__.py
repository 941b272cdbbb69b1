"""GSM SMS codec: TS 23.040 PDUs and TS 23.038 alphabets.

Knows nothing of AT, serial ports or SQLite. Decoders never raise (Undecodable instead);
encoders raise InvalidInputError saying what is wrong and what to do.
"""

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
