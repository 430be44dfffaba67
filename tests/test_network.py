"""A build never touches the network: sockets are blocked while the demo site is built."""

from __future__ import annotations

import socket

import pytest
from conftest import DEMO, TODAY, run_cli


class NetworkUsed(AssertionError):
    pass


def test_build_with_sockets_blocked(monkeypatch, tmp_path):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise NetworkUsed(f"network access during build: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    with pytest.raises(NetworkUsed):  # the block really works
        socket.create_connection(("127.0.0.1", 9))
    calls.clear()
    r = run_cli("build", "-r", str(DEMO), "--out", str(tmp_path / "site"), "--today", TODAY.isoformat())
    assert r.code == 0, r.err
    assert calls == []
    assert (tmp_path / "site" / "index.html").exists()
