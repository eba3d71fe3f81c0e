"""Run cycles every N minutes in the foreground, or print the crontab line / systemd units for it."""

from __future__ import annotations

import logging
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from typing import Callable, Sequence

LOGGER = logging.getLogger(__name__)

_EVERY = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MIN_EVERY_S = 60


class ScheduleError(ValueError):
    """An interval or output format we cannot use."""


def parse_every(text: str) -> int:
    """'90s', '10m', '1h', '1d' -> seconds (at least a minute)."""
    match = _EVERY.match(text or "")
    if not match:
        raise ScheduleError(f"interval must look like 10m, 1h or 1d, not {text!r}")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if seconds < MIN_EVERY_S:
        raise ScheduleError(f"interval must be at least {MIN_EVERY_S} seconds")
    return seconds


def cron_line(every_s: int, command: Sequence[str]) -> str:
    """A crontab line running `command` every `every_s` seconds (whole minutes, hours or days)."""
    if every_s % 86400 == 0 and every_s // 86400 == 1:
        spec = "0 6 * * *"
    elif every_s % 3600 == 0 and 24 % (every_s // 3600) == 0:
        hours = every_s // 3600
        spec = "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    elif every_s % 60 == 0 and 60 % (every_s // 60) == 0:
        spec = f"*/{every_s // 60} * * * *"
    else:
        raise ScheduleError("cron can only express intervals that divide an hour or a day evenly; use --print systemd")
    return f"{spec} {shlex.join(command)} >> $HOME/chipwatch-cron.log 2>&1"


def systemd_units(every_s: int, command: Sequence[str], workdir: str) -> str:
    """A oneshot service and a timer that starts it every `every_s` seconds."""
    return f"""# /etc/systemd/system/chipwatch.service
[Unit]
Description=chipwatch: crawl due sources, classify, write the digest
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
WorkingDirectory={workdir}
ExecStart={shlex.join(command)}
# exit code 75 means another cycle still holds the lock: not a failure
SuccessExitStatus=75
TimeoutStartSec=1h

# /etc/systemd/system/chipwatch.timer
[Unit]
Description=Run chipwatch every {every_s} seconds

[Timer]
OnBootSec=5min
OnUnitActiveSec={every_s}s
Persistent=true

[Install]
WantedBy=timers.target
"""


def run_forever(every_s: int, command: Sequence[str], echo: Callable[[str], None] = print,
                max_cycles: int | None = None) -> int:
    """Run `command` as a child process every `every_s` seconds until SIGTERM/SIGINT.

    A signal never interrupts a cycle: the current child finishes, then the loop stops.
    """
    stop = threading.Event()

    def request_stop(signum, frame) -> None:
        echo(f"received {signal.Signals(signum).name}; stopping after the current cycle")
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    cycles = 0
    try:
        while not stop.is_set():
            started = time.monotonic()
            # its own session: a terminal Ctrl-C reaches the scheduler, which lets the cycle finish
            child = subprocess.run(list(command), start_new_session=True)
            cycles += 1
            echo(f"cycle {cycles} finished with exit code {child.returncode}")
            if max_cycles is not None and cycles >= max_cycles:
                break
            stop.wait(max(0.0, every_s - (time.monotonic() - started)))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return cycles


def run_command(db_path: str, sources_file: str | None, reports_dir: str | None) -> list[str]:
    """The `chipwatch run` command line a scheduler starts."""
    command = [sys.executable, "-m", "chipwatch", "run", "--db", db_path]
    if sources_file:
        command += ["--sources", sources_file]
    if reports_dir:
        command += ["--reports", reports_dir]
    return command
