"""The processes of the ``nrd-fork`` engine, seen from the process that uses them: a started server (the
template: ``python -m nrd.run.fork_server``, a pipe each way, and a socket that carries the channels of the
servers it forks) and the servers forked from it (one socket each way; the template is their parent and
reaps them). ``nrd.run.fork`` keeps one per worker thread.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from typing import Any

from nrd.errors import WarmKernelError
from nrd.log import logger


class ForkServer:
    """One pre-imported server process, used by one thread at a time: the template started as a process
    (``ForkServer()``: the spare), or a server forked from it (``template.fork_server(inputs)``)."""

    def __init__(self, wait: bool = True) -> None:
        """Start the server process; ``wait``: until it has imported everything (else ``wait_ready``)."""
        import socket

        from nrd.run.warm import WARM_MODULES

        self._setup()
        # the control socket carries the channels of the servers this one forks (``fork_server``)
        self._control, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "nrd.run.fork_server", json.dumps(list(WARM_MODULES)), str(theirs.fileno())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                encoding="utf-8",
                pass_fds=(theirs.fileno(),),
            )
        finally:
            theirs.close()
        if wait:
            self.wait_ready()

    def _setup(self) -> None:
        self.thread_id = threading.get_ident()
        self.reports = 0
        self.ready = False
        self._control = None
        self._exchange = threading.Lock()  # one request and its reply at a time (the template serves all)

    def fork_server(self, inputs: dict[str, str] | None = None) -> ForkServer:
        """Another server, forked from this one once it holds ``inputs`` (``nrd.io.preload``): the new one
        shares its imports and held data instead of paying them again.

        Raises:
            WarmKernelError: this server died or could not fork.
        """
        import socket

        self.wait_ready()
        ours, theirs = socket.socketpair()
        try:
            with self._exchange:
                assert self.process.stdin is not None and self._control is not None
                self.process.stdin.write(json.dumps({"server": True, "inputs": inputs}) + "\n")
                self.process.stdin.flush()
                socket.send_fds(self._control, [b"s"], [theirs.fileno()])
                reply = self._reply()
        except OSError as error:
            ours.close()
            raise WarmKernelError(f"nrd-fork server {self.pid} unreachable: {error}") from None
        finally:
            theirs.close()
        if reply.get("status") != "ok":
            ours.close()
            raise WarmKernelError(f"nrd-fork server {self.pid} could not fork a server: {reply.get('detail')}")
        server = ForkServer.__new__(ForkServer)
        server._setup()
        server.process = _ForkedProcess(ours, reply["pid"])
        server.wait_ready()
        return server

    def wait_ready(self) -> None:
        with self._exchange:
            if self.ready:
                return
            try:
                ready = self._reply()
            except WarmKernelError:
                self.shutdown()
                raise
            if ready.get("status") != "ready":
                self.shutdown()
                raise WarmKernelError(f"nrd-fork server did not start: {ready}")
            self.ready = True
        logger.info("fork server started (pid %s)", self.process.pid)

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def _reply(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise WarmKernelError(f"nrd-fork server exited (code {self.process.poll()})")
        return json.loads(line)

    def _ask(self, request: dict[str, Any], what: str) -> Any:
        """Send ``request`` (plus the result file its child writes), wait for the child; what it wrote.

        Raises:
            WarmKernelError: the server or the child died.
        """
        assert self.process.stdin is not None
        fd, result = tempfile.mkstemp(prefix="nrd-fork-", suffix=".json")
        os.close(fd)
        try:
            with self._exchange:
                self.process.stdin.write(json.dumps({**request, "result": result}) + "\n")
                self.process.stdin.flush()
                reply = self._reply()
            if reply.get("status") != "ok":
                raise WarmKernelError(f"nrd-fork {what} process failed: {reply.get('detail')}")
            with open(result, encoding="utf-8") as handle:
                return json.load(handle)
        finally:
            for path in (result, result + ".part"):
                if os.path.exists(path):
                    os.unlink(path)

    def run(self, sources: list[str | None], cwd: str, timeout: float | None,
            inputs: dict[str, str] | None = None) -> list[dict[str, Any] | None]:
        """Execute the cells in a forked child; per cell its execution count and outputs (or ``None``).

        ``inputs``: the dataset folder and indicator table the report reads, read once by the server for
        all its children (``nrd.io.preload``).
        """
        results = self._ask({"sources": sources, "cwd": cwd, "timeout": timeout, "inputs": inputs}, "report")
        self.reports += 1
        return results

    def execute(self, job: dict[str, Any], inputs: dict[str, str] | None) -> dict[str, Any]:
        """Run a whole report in a forked child (``nrd.run.execute.execute_notebook`` there: papermill's
        parameterisation, the cells, the executed notebook written); ``{"ok"}`` or the ``ReportError``."""
        outcome = self._ask({"notebook": job, "inputs": inputs}, "report")
        self.reports += 1
        return outcome

    def shutdown(self) -> None:
        if self.process.stdin is not None and not self.process.stdin.closed:
            try:
                self.process.stdin.close()  # end of requests: the server exits
            except OSError:
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self._control is not None:
            self._control.close()


class _ForkedProcess:
    """A server forked by another, seen like the ``subprocess.Popen`` of a started one: its channel is a
    socket (requests and replies), and it is the other server's child, which reaps it."""

    def __init__(self, channel: Any, pid: int) -> None:
        self.pid = pid
        self._channel = channel
        self.stdin = _RequestStream(channel)
        self.stdout = channel.makefile("r", encoding="utf-8")

    def poll(self) -> int | None:
        return 0 if _exited(self.pid) else None

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while not _exited(self.pid):
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"nrd-fork server {self.pid}", timeout)
            time.sleep(0.005)
        self.stdout.close()
        self._channel.close()
        return 0

    def kill(self) -> None:
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class _RequestStream:
    """The writing side of a forked server's socket; closing it ends the requests (the server exits)."""

    def __init__(self, channel: Any) -> None:
        self._channel = channel
        self._file = channel.makefile("w", encoding="utf-8")
        self.closed = False

    def write(self, text: str) -> int:
        return self._file.write(text)

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        import socket

        if self.closed:
            return
        self.closed = True
        try:
            self._file.close()
            self._channel.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def _exited(pid: int) -> bool:
    """Whether ``pid`` has exited (a zombie counts: a forked server is its parent server's child)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except FileNotFoundError:
        return True
    except OSError:  # no /proc (macOS): a signal 0 says whether it exists
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
