"""Real network faults for the suite: a port nobody listens on, a server that accepts and
never answers, and a relay to a real server that can be cut and restored."""

from __future__ import annotations

import socket
import threading


def closed_port() -> int:
    """A loopback port that refuses connections (bound once, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Listener:
    """A loopback server whose accept loop runs in a thread while in a `with` block;
    subclasses say what becomes of each connection."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self.handle(conn)

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError


class SilentServer(_Listener):
    """Accepts every connection and never sends a byte: a hung server, a full firewall
    queue. `with SilentServer() as server: server.port, server.accepted`"""

    def __init__(self) -> None:
        super().__init__()
        self._held: list[socket.socket] = []

    @property
    def accepted(self) -> int:
        """Connections made to it so far."""
        return len(self._held)

    def handle(self, conn: socket.socket) -> None:
        self._held.append(conn)

    def __exit__(self, *exc) -> None:
        super().__exit__()
        for conn in self._held:
            conn.close()


class Relay(_Listener):
    """A TCP relay to a real server; `cut()` drops every connection and refuses new ones
    (a restarted server, a broken network), `restore()` lets them through again."""

    def __init__(self, target: tuple[str, int]) -> None:
        super().__init__()
        self.target = target
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._up = True

    def __exit__(self, *exc) -> None:
        super().__exit__()
        self.cut()

    def cut(self) -> None:
        with self._lock:
            self._up = False
            for conn in self._open:
                _close(conn)
            self._open.clear()

    def restore(self) -> None:
        with self._lock:
            self._up = True

    def handle(self, client: socket.socket) -> None:
        with self._lock:
            if not self._up:
                _close(client)
                return
            upstream = socket.create_connection(self.target)
            self._open += [client, upstream]
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    _close(source)
    _close(sink)


def _close(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.close()
