"""Plain ``def`` endpoints reach the thread pool once per request (server.api.threaded_route)."""

from __future__ import annotations

import inspect
import threading

import anyio
from fastapi.routing import APIRoute

from server.api.threaded_route import ThreadedRoute, in_worker_thread
from server.routes import ROUTERS


def test_every_route_hands_its_endpoint_to_the_pool_itself() -> None:
    every = [route for router in ROUTERS for route in router.routes]
    assert every and all(isinstance(route, APIRoute) for route in every)
    routes = [route for route in every if isinstance(route, APIRoute)]
    not_threaded = [route.path for route in routes if not isinstance(route, ThreadedRoute)]
    assert not_threaded == []
    # FastAPI sees only async endpoints: none gets a second hand-off for its response.
    plain = [r.path for r in routes if not inspect.iscoroutinefunction(r.dependant.call)]
    assert plain == []


def test_a_def_endpoint_runs_on_a_worker_thread_with_its_signature() -> None:
    def endpoint(a: int, b: str = "x") -> str:
        return f"{a}{b}:{threading.get_ident()}"

    wrapped = in_worker_thread(endpoint)
    assert inspect.iscoroutinefunction(wrapped)
    assert inspect.signature(wrapped) == inspect.signature(endpoint)
    assert wrapped.__name__ == "endpoint" and inspect.unwrap(wrapped) is endpoint

    async def call() -> str:
        result: str = await wrapped(a=1, b="y")
        return result

    result = anyio.run(call)
    prefix, _, ident = result.partition(":")
    assert prefix == "1y" and int(ident) != threading.get_ident()


def test_async_and_generator_endpoints_are_left_alone() -> None:
    async def coroutine() -> None:
        return None

    def generator() -> object:
        yield 1

    assert in_worker_thread(coroutine) is coroutine
    assert in_worker_thread(generator) is generator
