"""The client's one way to run work in parallel (pure: no server)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from airflow_provider_swift.client.base.parallel import map_ordered, run_each


def test_map_ordered_returns_results_in_item_order() -> None:
    def slow_first(i: int) -> int:
        time.sleep(0.05 if i == 0 else 0)
        return i * i

    assert map_ordered(slow_first, range(10), 4) == [i * i for i in range(10)]


def test_map_ordered_raises_the_first_failure_and_releases_what_never_ran() -> None:
    released: list[int] = []
    started: list[int] = []
    lock = threading.Lock()

    def work(i: int) -> int:
        with lock:
            started.append(i)
        if i == 2:
            raise KeyError("a bug, not a Swift error")
        time.sleep(0.02)
        return i

    with pytest.raises(KeyError, match="a bug"):
        map_ordered(work, iter(range(100)), 2, release=released.append)
    # drawing stopped soon after the failure; every drawn item ran or was released
    assert not set(started) & set(released)
    assert len(started) + len(released) < 100


def test_map_ordered_draws_at_most_threads_plus_one_ahead() -> None:
    drawn = 0
    finished = 0
    most_ahead = 0
    lock = threading.Lock()

    def items() -> Iterator[int]:
        nonlocal drawn, most_ahead
        for i in range(30):
            with lock:
                drawn += 1
                most_ahead = max(most_ahead, drawn - finished)
            yield i

    def work(i: int) -> int:
        nonlocal finished
        time.sleep(0.005)
        with lock:
            finished += 1
        return i

    assert map_ordered(work, items(), 3) == list(range(30))
    assert most_ahead <= 3 + 1


def test_map_ordered_stops_when_drawing_fails() -> None:
    ran: list[int] = []

    def items() -> Iterator[int]:
        yield 1
        raise OSError("the stream broke")

    with pytest.raises(OSError, match="the stream broke"):
        map_ordered(ran.append, items(), 2)


def test_run_each_attempts_every_item_and_keeps_every_error_of_any_type() -> None:
    def work(i: int) -> int:
        if i % 3 == 0:
            raise TypeError(f"bug on {i}")
        return i

    done, failed = run_each(work, range(7), 3)
    assert [item for item, _ in done] == [1, 2, 4, 5]
    assert [(item, str(error)) for item, error in failed] == [
        (0, "bug on 0"),
        (3, "bug on 3"),
        (6, "bug on 6"),
    ]
