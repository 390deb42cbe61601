"""``--address`` for Ray (issue 35): a port that answers but is not Ray fails in one line within seconds.

Throwaway local TCP servers stand in for what a mistyped port may reach: an echo server, a silent one, an HTTP/1
server, one that closes at once; a server that answers as HTTP/2 (gRPC, as Ray's GCS does) passes the check.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from skeptic.core.errors import UsageError
from skeptic.core.executors import check_ray_address

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 2.0


def _echo(conn: socket.socket) -> None:
    while data := conn.recv(4096):
        conn.sendall(data)


def _silent(conn: socket.socket) -> None:
    conn.recv(4096)
    threading.Event().wait(3 * TIMEOUT_S)


def _http1(conn: socket.socket) -> None:
    conn.recv(4096)
    conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")


def _closes(conn: socket.socket) -> None:
    pass


def _http2(conn: socket.socket) -> None:
    conn.recv(4096)
    conn.sendall(bytes([0, 0, 6, 4, 0, 0, 0, 0, 0]) + bytes([0, 3, 0, 0, 0, 100]))  # SETTINGS: max streams 100
    conn.recv(4096)


@contextmanager
def server(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A local TCP server that treats each connection with ``answer``; yields its ``HOST:PORT``."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10 * TIMEOUT_S)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:  # closed: the test is over
                return
            with conn, suppress(OSError):
                answer(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (_echo, "not an HTTP/2 SETTINGS frame"),
        (_silent, "sent nothing in 2 s"),
        (_http1, "b'HTTP/1.1 "),
        (_closes, "the connection"),  # closed, or reset as it closed with our bytes unread
    ],
    ids=["echo", "silent", "http1", "closes"],
)
def test_a_port_that_answers_but_is_not_ray_fails_in_one_line(
    answer: Callable[[socket.socket], None], says: str
) -> None:
    with server(answer) as address, pytest.raises(UsageError) as info:
        check_ray_address(address, timeout_s=TIMEOUT_S)
    message = str(info.value)
    assert "\n" not in message
    assert f"{address}" in message and "not as a Ray cluster" in message and says in message, message


def test_a_port_that_answers_as_grpc_passes() -> None:
    with server(_http2) as address:
        check_ray_address(address, timeout_s=TIMEOUT_S)
        check_ray_address("ray://" + address, timeout_s=TIMEOUT_S)


def test_with_tls_the_protocol_is_left_to_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAY_USE_TLS", "1")
    with server(_echo) as address:
        check_ray_address(address, timeout_s=TIMEOUT_S)


_CLI = """
import sys, tests.toy_study
from skeptic.cli import main
sys.argv = ["skeptic", *sys.argv[1:]]
main()
"""


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs Ray (pip install 'skeptic[ray]')")
@pytest.mark.timeout(120)
def test_replicate_on_an_echo_server_fails_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with server(_echo) as address:
        args = ["replicate", "toy-coin", "--preset", "test", "--executor", "ray", "--address", address]
        proc = subprocess.run(
            [sys.executable, "-c", _CLI, *args, "--store", str(store)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=100,  # Ray alone would wait on such a port for many minutes
        )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "not as a Ray cluster" in lines[0], proc.stderr
    assert proc.stdout == "" and not store.exists()
