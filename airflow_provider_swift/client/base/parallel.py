"""The one way this client runs work in parallel: no future is ever thrown away.

Two shapes of parallel work exist, and each has one function here:

* :func:`map_ordered` -- the parts of *one* operation (the segments of a large object,
  the deletes of one batch): all succeed, or the first failure stops the rest (what has
  not started is cancelled, what runs is waited for, so nothing writes after the call
  returns) and is raised. Items are drawn lazily, at most ``threads + 1`` ahead, so a
  stream cut into spooled segments never holds more than that many spools.
* :func:`map_streamed` -- a long stream of small, pure-ish steps (hashing while a sync
  is planned): results yielded in order as they come, in batches, with a bounded
  number in flight, so memory does not grow with the stream.
* :func:`run_each` -- *many independent* operations (the objects of a prefix): every
  item is attempted, and every failure, of any exception type, comes back with the item
  it belongs to, for the caller to count and raise.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
_NOTHING: Any = object()
R = TypeVar("R")


def map_ordered(
    work: Callable[[T], R],
    items: Iterable[T],
    threads: int,
    *,
    name: str = "swift",
    release: Callable[[T], None] | None = None,
) -> list[R]:
    """``work(item)`` for every item, ``threads`` at once; the results in item order.

    :param release: called for every item drawn but never worked on (a failure came
        first and it was cancelled), so what an item holds (an open spool) is given back.
    :raises: the first failure (in item order among those that failed), once no work
        is running any more.
    """
    slots = threading.BoundedSemaphore(threads + 1)
    failed = threading.Event()
    drawn: list[tuple[T, Future[R]]] = []

    def run(item: T) -> R:
        try:
            return work(item)
        except BaseException:
            failed.set()
            raise
        finally:
            slots.release()

    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
    try:
        remaining = iter(items)
        while True:
            slots.acquire()  # before drawing: at most threads + 1 items held
            item = _NOTHING if failed.is_set() else next(remaining, _NOTHING)
            if item is _NOTHING:
                slots.release()
                break
            drawn.append((item, pool.submit(run, item)))
    except BaseException:  # drawing the next item failed (a stream that broke)
        failed.set()
        raise
    finally:
        if failed.is_set():
            for item, future in drawn:
                if future.cancel() and release is not None:
                    release(item)
        pool.shutdown(wait=True)  # every started item has finished
    for _, future in drawn:
        error = None if future.cancelled() else future.exception()
        if error is not None:
            raise error
    return [future.result() for _, future in drawn]


def map_streamed(
    work: Callable[[T], R],
    items: Iterable[T],
    threads: int,
    *,
    name: str = "swift",
    batch: int = 256,
) -> Iterator[R]:
    """``work(item)`` for every item, ``threads`` at once, yielded in item order; at
    most ``2 * threads`` batches of ``batch`` items in flight (``Executor.map`` would
    submit every item at once, a future each). A failure is raised where its batch is
    reached; the batches in flight finish first."""
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name) as pool:
        pending: deque[Future[list[R]]] = deque()
        source = iter(items)
        while chunk := list(islice(source, batch)):
            pending.append(pool.submit(lambda part: [work(item) for item in part], chunk))
            if len(pending) >= 2 * threads:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def run_each(
    work: Callable[[T], R], items: Iterable[T], threads: int, *, name: str = "swift"
) -> tuple[list[tuple[T, R]], list[tuple[T, BaseException]]]:
    """``work(item)`` for every item, ``threads`` at once, each attempted whatever the
    others do. Items are drawn lazily (at most ``2 * threads`` held), and no future is
    kept once done, so a million items cost no more than their results.

    :return: ``(done, failed)``: each item with its result, and each item with its
        exception -- of whatever type (a bug's ``TypeError`` is a failure to report,
        not something to lose), both in item order.
    """
    slots = threading.BoundedSemaphore(2 * threads)
    lock = threading.Lock()
    done: list[tuple[int, T, R]] = []
    failed: list[tuple[int, T, BaseException]] = []

    def run(index: int, item: T) -> None:
        try:
            result = work(item)
        except BaseException as error:
            with lock:
                failed.append((index, item, error))
        else:
            with lock:
                done.append((index, item, result))
        finally:
            slots.release()

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name) as pool:
        for index, item in enumerate(items):
            slots.acquire()
            pool.submit(run, index, item)
    done.sort(key=lambda entry: entry[0])
    failed.sort(key=lambda entry: entry[0])
    return [(item, result) for _, item, result in done], [(i, e) for _, i, e in failed]
