"""Keep what Inspect writes inside directories Skeptic controls, and keep credentials out of all of it.

Inspect writes more than its ``.eval`` logs: a trace file per process and sample buffers in its data directory
(``~/.local/share/inspect_ai``), outside ``log_dir``. A provider that echoes a key in an error puts the key
in all of them (the review found 12 and 303 copies in the traces of two runs). During a run,
:func:`confined_inspect`

- points Inspect's data directory (``XDG_DATA_HOME``) at a fresh temporary directory, removed afterwards;
- sends the trace to ``<log_dir>/inspect-trace.log`` instead of the per-process file under the data directory;
- redacts every log record at the source, before any handler (trace, console, transcript) sees it;
- and afterwards redacts every file under ``log_dir`` (the trace, the ``.eval`` logs, cancelled ones included).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from skeptic.study import redact, redact_files

TRACE_NAME = "inspect-trace.log"


class RedactRecords(logging.Filter):
    """Replace a record's message by its redacted text (keys echoed by a provider never reach a handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own error path
            return True
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True


_FILTER = RedactRecords()


def _inspect_handler() -> Any:
    from inspect_ai._util.logger import _logHandler

    return _logHandler["handler"]


def install_redaction() -> None:
    """Redact every record that reaches Inspect's log handler (and the root logger's handlers), from now on.

    Called by the Inspect task too, so a standalone ``inspect eval`` of it redacts its traces."""
    handler = _inspect_handler()
    targets = [*logging.getLogger().handlers, *([handler] if handler is not None else [])]
    for h in targets:
        if _FILTER not in h.filters:
            h.addFilter(_FILTER)


@contextmanager
def confined_inspect(log_dir: str | Path) -> Iterator[Path]:
    """Run Inspect with its data directory in a temporary directory and its trace in ``log_dir``; yields the
    trace path. On exit the temporary directory is removed and every file under ``log_dir`` is redacted."""
    from inspect_ai._util.trace import TraceFormatter

    log_path = Path(log_dir)
    log_path.mkdir(parents=True, exist_ok=True)
    trace = log_path / TRACE_NAME
    data_dir = Path(tempfile.mkdtemp(prefix="skeptic-inspect-data-"))
    saved = {k: os.environ.get(k) for k in ("XDG_DATA_HOME", "INSPECT_TRACE_FILE")}
    os.environ["XDG_DATA_HOME"] = str(data_dir)
    os.environ["INSPECT_TRACE_FILE"] = str(trace)  # read when Inspect creates its handler (the first eval)
    handler = _inspect_handler()
    previous = None
    if handler is None:  # set Inspect's logging up now (as its eval would), so the filter is on from the start
        from inspect_ai._util.logger import init_logger

        init_logger("warning")
    else:  # Inspect already set up this process: swap its trace file for ours
        previous = handler.trace_logger
        ours = logging.FileHandler(trace)
        ours.setFormatter(TraceFormatter())
        handler.trace_logger = ours
    install_redaction()
    try:
        yield trace
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        handler = _inspect_handler()
        if handler is not None:
            install_redaction()
            if handler.trace_logger is not None and Path(handler.trace_logger.baseFilename) == trace:
                handler.trace_logger.close()
                handler.trace_logger = previous  # None when Inspect started inside this run: no trace after it
        shutil.rmtree(data_dir, ignore_errors=True)
        redact_files(p for p in log_path.rglob("*") if p.is_file())
