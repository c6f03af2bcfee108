"""A SOCKS5 proxy on 127.0.0.1 that resolves names itself, as ``socks5h://`` asks.

It knows a few names (``aliases``: name → the local address they stand for), so a
test can show that the app hands the host name to the proxy instead of resolving
it: the name does not exist anywhere else. An HTTP proxy needs no fake of its own:
a ``FakeServer`` receives the absolute-form requests an HTTP proxy gets.
"""

from __future__ import annotations

import socket
import struct
import threading


class FakeSocks5:
    def __init__(self, aliases: dict[str, str]):
        self.aliases = aliases
        self.requested: list[tuple[str, int]] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"socks5h://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> FakeSocks5:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopped.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            version, methods = client.recv(2)
            client.recv(methods)
            client.sendall(b"\x05\x00")  # no authentication
            _, command, _, address_type = client.recv(4)
            if address_type == 3:  # a name: the proxy resolves it (socks5h)
                host = client.recv(client.recv(1)[0]).decode("ascii")
            elif address_type == 1:
                host = socket.inet_ntoa(client.recv(4))
            else:
                return
            (port,) = struct.unpack("!H", client.recv(2))
            self.requested.append((host, port))
            target = self.aliases.get(host, host)
            if version != 5 or command != 1 or host not in self.aliases:
                client.sendall(b"\x05\x04\x00\x01" + bytes(6))  # host unreachable
                return
            upstream = socket.create_connection((target, port))
            client.sendall(b"\x05\x00\x00\x01" + bytes(6))
            self._pipe(client, upstream)
        except (OSError, ValueError):
            return
        finally:
            client.close()

    @staticmethod
    def _pipe(client: socket.socket, upstream: socket.socket) -> None:
        def forward(source: socket.socket, sink: socket.socket) -> None:
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            finally:
                sink.close()

        back = threading.Thread(target=forward, args=(upstream, client), daemon=True)
        back.start()
        forward(client, upstream)
        back.join(timeout=10)
