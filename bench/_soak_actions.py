"""Carrying out the plan's actions against the running processes, writing down what
was done and when (the run log the checker reads)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from _rig import read_only
from _soak_facts import Attempt, attempts
from _soak_procs import Agents, Daemon

from modemd.emulator.control import ControlClient
from modemd.errors import ModemdError
from modemd.sms import split_text

IN_FLIGHT_WAIT = 10.0  # kill-mid-cmgs: how long to watch for an AT+CMGS without its answer
PHASES: dict[str, tuple[str, float, Callable[[Attempt], bool]]] = {
    # a hung modem never prompts: no PDU byte can go out before the plug is pulled
    "before-prompt": ("hang", 60.0, lambda attempt: not attempt.prompted),
    # a slow one has the PDU and has not answered yet
    "after-pdu": ("slow", 3.0, lambda attempt: attempt.pdu_sent and not attempt.answered),
}


class Executor:
    def __init__(self, control: ControlClient, daemon: Daemon, agents: Agents, db: Path,
                 log: dict) -> None:
        self.control = control
        self.daemon = daemon
        self.agents = agents
        self.db = db
        self.log = log
        self.capacity: dict[str, int] = {x["name"]: x["storage"]["SM"][1]
                                         for x in control.call("lines")}

    def run(self, kind: str, args: dict) -> None:
        if not self.daemon.alive() and self.daemon.exited_by_itself() is not None:
            self.daemon.start()  # it died on its own: the checker reports it; go on
        getattr(self, f"_{kind}")(**args)

    def _call(self, op: str, **args: object) -> tuple[object, str | None]:
        try:
            return self.control.call(op, **args), None
        except ModemdError as error:
            return None, str(error)

    def _line_action(self, what: str, line: str, op: str, *, end: bool = False,
                     **args: object) -> str | None:
        """A fault-stream action on a line, written to the log's faults (ends marked)."""
        at = time.time()
        _, error = self._call(op, line=line, **args)
        shown = dict(args)
        if "kind" in shown:
            shown["fault"] = shown.pop("kind")
        self.log["faults"].append({"time": at, "kind": what, "line": line, "end": end,
                                   "args": shown, "error": error})
        return error

    # ---- agents --------------------------------------------------------------------------

    def _send(self, token: str, text: str, to: str, line: str | None) -> None:
        at = time.time()
        message_id, error = self.agents.send(to, text, line)
        self.log["sends"].append({"time": at, "token": token, "text": text, "to": to,
                                  "line": line, "id": message_id, "error": error})

    def _resend(self, pick: int) -> None:
        ours = [s["id"] for s in self.log["sends"] if s["id"] is not None]
        with read_only(self.db) as conn:
            rows = conn.execute("SELECT id FROM messages WHERE direction = 'out' AND status "
                                "IN ('failed', 'unknown') ORDER BY id").fetchall()
        candidates = [r[0] for r in rows if r[0] in ours]
        if candidates:
            chosen = candidates[pick % len(candidates)]
            self.log["resends"].append({"time": time.time(), "id": chosen,
                                        "error": self.agents.resend(chosen)})

    # ---- the network ----------------------------------------------------------------------

    def _inject(self, token: str, line: str, sender: str, text: str, wide: bool,
                reference: int | None, mode: str, parts: list[int], late: list[int],
                gap: float) -> None:
        at = time.time()
        result, error = self._call("inject", line=line, sender=sender, text=text, wide=wide,
                                   reference=reference, parts=parts, gap=gap)
        self.log["injections"].append({
            "time": at, "token": token, "line": line, "sender": sender, "text": text,
            "wide": wide, "reference": reference, "mode": mode, "parts": parts, "late": late,
            "late_done": False, "segments": list(split_text(text, wide).parts),
            "timestamp": result["timestamp"] if isinstance(result, dict) else None,
            "error": error})

    def _late(self, token: str) -> None:
        first = next(i for i in self.log["injections"] if i["token"] == token)
        if first["error"]:
            return
        _, error = self._call("inject", line=first["line"], sender=first["sender"],
                              text=first["text"], wide=first["wide"],
                              reference=first["reference"], parts=first["late"],
                              timestamp=first["timestamp"])
        first["late_done"], first["late_error"] = error is None, error

    def _garbage(self, line: str, pdu: str) -> None:
        at = time.time()
        _, error = self._call("inject_pdu", line=line, pdu=pdu)
        self.log["garbage"].append({"time": at, "line": line, "pdu": pdu, "error": error})

    def _capacity(self, line: str, free: int = 0, restore: bool = False) -> None:
        if restore:
            self._line_action("capacity", line, "capacity", memory="SM",
                              size=self.capacity[line], end=True)
            return
        (used, _), = [x["storage"]["SM"] for x in self.control.call("lines")
                      if x["name"] == line]
        self._line_action("capacity", line, "capacity", memory="SM", size=used + free)

    def _reports(self, status_for: dict[str, int]) -> None:
        for number, status in status_for.items():
            self.control.call("reports", status=status, to=number)
        self.log["failing"] = dict(status_for)

    # ---- faults on the lines ------------------------------------------------------------------

    def _fault(self, line: str, fault: str, **args: object) -> None:
        self._line_action("fault", line, "fault", kind=fault, end=fault == "clear", **args)

    def _timing(self, line: str, **args: object) -> None:
        end = args.get("urc_mode") == "immediate" or args.get("split_pdu") is False
        self._line_action("timing", line, "timing", end=end, **args)

    def _raw(self, line: str, hex: str) -> None:
        self._line_action("raw", line, "raw", hex=hex)

    def _unplug(self, line: str, seconds: float, rename: bool) -> None:
        self._line_action("unplug", line, "unplug", seconds=seconds, rename=rename)

    def _replug(self, line: str) -> None:
        self._line_action("replug", line, "replug", end=True)

    def _reboot(self, line: str, seconds: float) -> None:
        self._line_action("reboot", line, "reboot", seconds=seconds)

    def _kill_mid_cmgs(self, line: str, slow: float, restart_after: float, token: str,
                       text: str, to: str) -> None:
        """A slow answer to +CMGS, and kill -9 while the modem holds the PDU unanswered."""
        since = time.time()
        self._line_action("kill_mid_cmgs", line, "fault", kind="slow", seconds=slow)
        self._send(token, text, to, line)
        in_flight = self._wait_cmgs(line, since, lambda a: a.pdu_sent and not a.answered)
        self.log["faults"][-1]["args"]["in_flight"] = in_flight
        self.daemon.kill(why=f"mid-CMGS on {line}" if in_flight else "no CMGS in flight")
        time.sleep(restart_after)
        self.daemon.start()
        self._line_action("kill_mid_cmgs", line, "fault", kind="clear", end=True)

    def _unplug_mid_cmgs(self, line: str, phase: str, seconds: float, token: str, text: str,
                         to: str) -> None:
        """Pull the plug while a +CMGS waits for its prompt (a hung modem: no PDU byte can
        have gone) or for its answer (a slow one: the PDU is in)."""
        since = time.time()
        fault, seconds_of_fault, wanted = PHASES[phase]
        self._line_action("unplug_mid_cmgs", line, "fault", kind=fault,
                          seconds=seconds_of_fault)
        self._send(token, text, to, line)
        self.log["faults"][-1]["args"].update(phase=phase,
                                              in_flight=self._wait_cmgs(line, since, wanted))
        self._line_action("unplug", line, "unplug", seconds=seconds, rename=False)
        self._line_action("unplug_mid_cmgs", line, "fault", kind="clear", end=True)

    def _mid_read(self, line: str, how: str, phase: str, seconds: float,
                  restart_after: float, inject: dict) -> None:
        """A slow line gets a message; the daemon dies, or the plug goes, while its
        AT+CMGR (read) or AT+CMGD (delete) waits for the answer."""
        since = time.time()
        self._line_action("mid_read", line, "fault", kind="slow", seconds=2.0)
        self._inject(**inject)
        command = "AT+CMGR" if phase == "read" else "AT+CMGD"
        hit = self._watch(line, since, lambda entries: _unanswered(entries, command))
        self.log["faults"][-1]["args"].update(how=how, phase=phase, in_flight=hit)
        if how == "kill":
            self._kill(restart_after, why=f"mid-{phase} on {line}")
        else:
            self._line_action("unplug", line, "unplug", seconds=seconds, rename=False)
        self._line_action("mid_read", line, "fault", kind="clear", end=True)

    def _wait_cmgs(self, line: str, since: float, wanted: Callable[[Attempt], bool]) -> bool:
        """Until the line's latest AT+CMGS is where `wanted` says (at most IN_FLIGHT_WAIT)."""
        return self._watch(line, since,
                           lambda entries: bool(sends := attempts(entries)) and wanted(sends[-1]))

    def _watch(self, line: str, since: float, seen: Callable[[list[dict]], bool]) -> bool:
        """Poll the line's transcript (since then) until seen() says so; False after
        IN_FLIGHT_WAIT."""
        deadline = time.monotonic() + IN_FLIGHT_WAIT
        while time.monotonic() < deadline:
            transcript, _ = self._call("transcript", line=line, since=since)
            if seen(transcript or []):  # type: ignore[arg-type]
                return True
            time.sleep(0.05)
        return False

    # ---- the daemon itself ----------------------------------------------------------------------

    def _kill(self, restart_after: float, why: str = "planned") -> None:
        self.daemon.kill(why=why)
        time.sleep(restart_after)
        self.daemon.start()

    def _stop(self, seconds: float) -> None:
        self.daemon.stop()
        time.sleep(seconds)
        self.daemon.cont()

    def _restart(self, why: str) -> None:
        self.daemon.terminate()
        self.daemon.start()


def _unanswered(entries: list[dict], command: str) -> bool:
    """The last rx holding command has no tx after it yet."""
    last = max((i for i, e in enumerate(entries)
                if e["dir"] == "rx" and command in e["text"].upper()), default=None)
    return last is not None and all(e["dir"] == "rx" for e in entries[last + 1:])


def run_plan(executor: Executor, actions: list, started: float,
             progress: Callable[[str], None]) -> None:
    """Each action at its time (late if the one before took long: timing is not the plan)."""
    for number, action in enumerate(actions):
        delay = started + action.at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        executor.run(action.kind, action.args)
        if number % 50 == 0:
            progress(f"  t={time.monotonic() - started:6.1f} s  action {number}/{len(actions)}")
