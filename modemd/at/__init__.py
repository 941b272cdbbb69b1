"""AT channel: lines, final result codes, the prompt, URCs, one command at a time.

Knows no SMS and no SQLite.
"""

from modemd.at.channel import AtChannel
from modemd.at.cms import CmsClass
from modemd.at.errors import (
    AtError,
    AtTimeout,
    ChannelClosed,
    CmeError,
    CmsError,
    CommandError,
    PromptTimeout,
)
from modemd.at.results import Urc, is_number

__all__ = [
    "AtChannel",
    "AtError",
    "AtTimeout",
    "ChannelClosed",
    "CmeError",
    "CmsClass",
    "CmsError",
    "CommandError",
    "PromptTimeout",
    "Urc",
    "is_number",
]
