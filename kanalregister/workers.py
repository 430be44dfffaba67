"""Running one function over many items on every core, with :mod:`concurrent.futures`.

:func:`map_items` is the only parallelism in kanalregister. It runs the *same* function the
serial path runs — :func:`kanalregister.register.loader.check_chunk` over entries,
:meth:`kanalregister.site.render.Renderer.channel_page` over channels — so the two cannot
disagree; it only decides where it runs. Worker processes are forked (the function and what
it reads are inherited, not sent), take the items in batches, and send back their results.
Where forking is not available, or the work is small, the items are done here, in order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor

#: Fewer items than this are done in this process: starting workers costs more than it saves.
MIN_ITEMS = 1000
#: The most items a worker takes at once.
BATCH = 250

_TASK: Callable | None = None  # the function of the current map, inherited by the forked workers


def _run(batch: Sequence) -> list:
    return [_TASK(x) for x in batch]


def workers() -> int:
    """How many worker processes :func:`map_items` uses: the cores this process may run on (≥ 1)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def map_items(fn: Callable, items: Sequence, min_items: int | None = None) -> Iterator:
    """``fn(x) for x in items``, in order, in forked worker processes when it pays.

    Args:
        fn: a function of one item; it and whatever it reads are inherited by the workers,
            and its results must pickle. It must not write to shared state: what a worker
            changes stays in the worker.
        items: the items (each must pickle).
        min_items: below this many items (default :data:`MIN_ITEMS`), or with one core, or
            without ``fork``, every item is done in this process.

    Returns:
        An iterator over the results, in the order of ``items``. Results arrive in batches
        of at most :data:`BATCH` items, so a caller that writes each result as it comes holds
        only a few batches in memory (10,000 pages are not all kept at once).

    Raises:
        Whatever ``fn`` raises for the first item that fails (as the serial path would).
    """
    n = workers()
    small = len(items) < (MIN_ITEMS if min_items is None else min_items)
    if small or n < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (fn(x) for x in items)
        return
    global _TASK
    _TASK = fn
    size = max(1, min(BATCH, len(items) // (n * 8)))
    batches = [items[i:i + size] for i in range(0, len(items), size)]
    try:
        with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork")) as pool:
            for batch in pool.map(_run, batches):
                yield from batch
    finally:
        _TASK = None
