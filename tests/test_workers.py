"""Work in worker processes gives what the serial path gives: the same function runs there."""

from __future__ import annotations

import os

import pytest
from conftest import DEMO, TODAY, run_cli

from kanalregister import workers


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_map_items_keeps_the_order_and_uses_other_processes(monkeypatch):
    monkeypatch.setattr(workers, "workers", lambda: 2)
    items = list(range(50))
    got = list(workers.map_items(lambda x: (x * x, os.getpid()), items, min_items=10))
    assert [v for v, _pid in got] == [x * x for x in items]
    assert os.getpid() not in {pid for _v, pid in got}  # really done elsewhere
    few = list(workers.map_items(lambda x: os.getpid(), items[:5], min_items=10))
    assert set(few) == {os.getpid()}


def test_an_error_in_a_worker_reaches_the_caller(monkeypatch):
    monkeypatch.setattr(workers, "workers", lambda: 2)

    def boom(x):
        if x == 7:
            raise ValueError("seven")
        return x

    with pytest.raises(ValueError, match="seven"):
        list(workers.map_items(boom, list(range(20)), min_items=1))


@pytest.mark.parametrize("register", [DEMO, "edited"])
def test_a_build_in_workers_equals_one_in_this_process(tmp_path, monkeypatch, register):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    if register == "edited":  # with an error: the messages must be the same too
        register = tmp_path / "edited.yaml"
        register.write_text(DEMO.read_text(encoding="utf-8").replace("platform: youtube", "platform: yutube", 1),
                            encoding="utf-8")
    args = ("-r", str(register), "--today", TODAY.isoformat(), "--no-cache")
    monkeypatch.setattr(workers, "MIN_ITEMS", 10**9)
    serial = run_cli("build", "--out", str(tmp_path / "serial"), *args)
    serial_check = run_cli("check", "--format", "json", *args[:-1])
    monkeypatch.setattr(workers, "MIN_ITEMS", 2)
    monkeypatch.setattr(workers, "workers", lambda: 2)
    pools = []

    class Counted(workers.ProcessPoolExecutor):
        def __init__(self, *a, **kw):
            pools.append(1)
            super().__init__(*a, **kw)

    monkeypatch.setattr(workers, "ProcessPoolExecutor", Counted)
    parallel = run_cli("build", "--out", str(tmp_path / "parallel"), *args)
    parallel_check = run_cli("check", "--format", "json", *args[:-1])
    assert len(pools) == (3 if serial.code == 0 else 2)  # entries (build, check) and channel pages
    assert parallel.code == serial.code
    assert parallel.err.replace("parallel", "serial") == serial.err
    assert (parallel_check.code, parallel_check.out) == (serial_check.code, serial_check.out)
    if serial.code == 0:
        assert _files(tmp_path / "parallel") == _files(tmp_path / "serial")
