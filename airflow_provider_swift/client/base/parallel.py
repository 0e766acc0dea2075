"""Parallel parts of one operation: all succeed, or the first failure stops the rest."""

from __future__ import annotations

from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TypeVar

T = TypeVar("T")


def all_or_first_failure(pool: ThreadPoolExecutor, futures: list[Future[T]]) -> list[T]:
    """The results in submission order; or, at the first failure, cancel what has not
    started, wait for what is running (so nothing writes after we return) and raise it."""
    wait(futures, return_when=FIRST_EXCEPTION)
    failed = next((f for f in futures if f.done() and f.exception()), None)
    if failed is not None:
        pool.shutdown(wait=True, cancel_futures=True)
        error = failed.exception()
        assert error is not None
        raise error
    return [f.result() for f in futures]
