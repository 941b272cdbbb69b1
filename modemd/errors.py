"""The one error root. Every error modemd raises on purpose is a ModemdError.

The whole tree, with a scenario for each error (a test keeps it equal to the classes)::

    ModemdError
     +-- InvalidInputError    `modemd send 555-1234 hi`: not a valid number; nothing queued
     +-- TransportError       the port failed
     |    +-- PortUnavailable  /dev/ttyUSB2 cannot be opened: unplugged, or ModemManager has it
     |    +-- PortLost         the USB modem was pulled out while a command waited
     +-- AtError              a command did not succeed
     |    +-- CommandError     plain ERROR: a modem without AT+CNMI=2,1,0,2,0 support
     |    +-- CmeError         +CME ERROR: 16 after AT+CPIN="1234": the PIN is wrong
     |    +-- CmsError         +CMS ERROR: 330 after the PDU: the SIM has no SMSC number
     |    +-- AtTimeout        AT+CSQ gets no answer in 5 s: the modem hangs
     |    |    +-- PromptTimeout  no "> " after AT+CMGS=23 in 10 s; ESC was sent
     |    +-- ChannelClosed    a command after the daemon closed the port to stop
     +-- ModemError           the modem did something the GSM verbs cannot go on with
     |    +-- SimError         the SIM cannot be used; other lines keep working
     |    |    +-- SimMissing   +CPIN? says SIM not inserted (+CME ERROR: 10)
     |    |    +-- PinRequired  the SIM asks for a PIN and the config has none
     |    |    +-- PinRejected  the configured PIN was wrong once; never tried again
     |    |    +-- PukRequired  three wrong PINs elsewhere: modemd never enters a PUK
     |    +-- SendFailed       a part's submission failed; says before or after the PDU
     |    +-- UnexpectedAnswer AT+CPIN? answered with no +CPIN line at all
     +-- MalformedPduError    a PDU whose length octet lies; turned into a quarantine entry
     +-- StoreError           the database cannot be used as asked
     |    +-- StoreMissing     `modemd inbox --db typo.db`: there is no database there
     |    +-- StoreReadOnly    the database file is mode 0444, or its folder is not writable
     |    +-- StoreCorrupt     the file is a JPEG, or quick_check finds a damaged page
     |    +-- StoreTooNew      a newer modemd migrated it; this one leaves it alone
     |    +-- StoreLocked      a sqlite3 shell holds BEGIN EXCLUSIVE for longer than 10 s
     |    +-- StoreInUse       a second `modemd run` on the database of a running one
     |    +-- StoreFull        the disk holding the database is full; nothing was written
     |    +-- NotFound         `modemd resend 99999`: no such message
     +-- IllegalTransition    `modemd resend` of a delivered message; a bug moving a part
     +-- NotSending           re-initialised 3 times and still no part went out: reset it
     +-- DuplicatePort        /dev/ttyUSB3 answers with the IMEI /dev/ttyUSB2 is driven by
     +-- Unrecorded           a part went out while the disk was full: written when it frees
     +-- ApiError             an API call refused: 403 for `modemd send --operator bob` as alice

Foreign exceptions (pyserial, termios, sqlite3, OSError) are translated where they are
met, with `raise ... from`, so the cause stays attached.
"""


class ModemdError(Exception):
    """Base of every error modemd raises on purpose."""


class InvalidInputError(ModemdError, ValueError):
    """Input that cannot be used as given, e.g. text no alphabet can carry or a bad number.

    The message says what was wrong and what to do.
    """
