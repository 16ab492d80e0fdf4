"""Routes whose plain ``def`` endpoints reach the worker threads in one hand-off, not two.

FastAPI runs a ``def`` endpoint on the thread pool, and then, because the endpoint is not
``async``, hands its return value to the thread pool a second time just to validate it
against the response model; each hand-off is a thread wake-up and an event-loop wake-up
(~50-100 µs of CPU on this 2-core machine), a third of a one-row read. Here such an
endpoint is wrapped in an ``async def`` that runs it on the worker threads (with the
request's context variables); FastAPI then validates the result on the event loop, where
checking an instance of the response model it already is costs a few microseconds.

The worker threads are the event loop's default executor, which the app's start-up sizes
to ``Settings.worker_threads``; not anyio's pool: with more requests waiting than threads
(50 per process at 100 connections), anyio's capacity limiter wakes and re-queues waiters
on the loop, and a one-row read cost ~670 µs of CPU instead of ~520 µs (measured).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response

from server.api.query_check import declared_query_names, refusing_unknown_query

T = TypeVar("T")


async def run_in_worker_thread(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """``function(*args, **kwargs)`` on a worker thread, with this task's context."""
    call = functools.partial(contextvars.copy_context().run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(None, call)


def in_worker_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` as an ``async def`` running it on a worker thread; other callables
    (``async def``, generators) as they are. FastAPI reads the parameters, their
    annotations and the return annotation through ``__wrapped__``."""
    plain = inspect.isfunction(endpoint) and not (
        inspect.iscoroutinefunction(endpoint)
        or inspect.isgeneratorfunction(endpoint)
        or inspect.isasyncgenfunction(endpoint)
    )
    if not plain:
        return endpoint

    @functools.wraps(endpoint)
    async def threaded(**values: Any) -> Any:
        return await run_in_worker_thread(endpoint, **values)

    return threaded


class ThreadedRoute(APIRoute):
    """An ``APIRoute`` whose ``def`` endpoint runs as :func:`in_worker_thread` makes it, and
    which refuses query parameters it does not declare (:mod:`server.api.query_check`)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, in_worker_thread(endpoint), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        return refusing_unknown_query(
            super().get_route_handler(), declared_query_names(self.dependant)
        )
