"""Applying a push's mutations in order: each one isolated, batchable ones many at a time.

A mutation without a batch runs in its own savepoint. Consecutive mutations registered with a
batch share one savepoint: their data is read up front and their rows are written together.
Should that write fail (a clash no check foresaw), the run is undone and applied again one
mutation per savepoint, so that a bad mutation is rejected alone and the others still apply.

No single mutation may fail the push, or the kiosk's queue would be stuck for good: whatever
a mutation raises is its rejection, except a fault of the database itself (connection lost,
server gone), which fails the push so that the kiosk sends it again.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError

from server.errors import DomainError
from server.sync.registry import (
    MutationContext,
    MutationRegistry,
    MutationRejected,
    Registration,
    readable,
)
from shared.enums import MutationStatus
from shared.inputs import date_problem
from shared.sync.messages import MutationResult

logger = logging.getLogger(__name__)

#: What makes a mutation "rejected" with the error's own words as the reason.
_REJECTIONS = (MutationRejected, DomainError, ValidationError, IntegrityError)


def transient(exc: BaseException) -> bool:
    """A fault of the database, the process or a service the server asks (ZHEP down: an
    answer of 503), not of the mutation: fail the push, which the kiosk sends again."""
    if isinstance(exc, DBAPIError):
        return isinstance(exc, OperationalError | InterfaceError) or exc.connection_invalidated
    if isinstance(exc, DomainError):
        return exc.status == 503
    return not isinstance(exc, Exception)


def _envelope_problem(context: MutationContext) -> str | None:
    found = date_problem(context.mutation.device_time)
    return f"device_time {found}" if found else None


class _Unsafe(Exception):
    """A batched handler failed after it had staged changes: apply one at a time instead."""


def apply_all(contexts: list[MutationContext], mutations: MutationRegistry) -> list[MutationResult]:
    """Apply the mutations of ``contexts`` in order; one result each."""
    results: list[MutationResult] = []
    start = 0
    while start < len(contexts):
        envelope = _envelope_problem(contexts[start])
        if envelope is not None:
            results.append(_rejected(contexts[start], MutationRejected(envelope)))
            start += 1
            continue
        found = mutations.registration(contexts[start].mutation.name)
        end = start + 1
        if found is not None and found.batch is not None:
            while (
                end < len(contexts)
                and contexts[end].mutation.name == found.name
                and _envelope_problem(contexts[end]) is None
            ):
                end += 1
        if found is not None and found.batch is not None and end - start > 1:
            results.extend(_apply_run(found, contexts[start:end]))
        else:
            results.append(apply_one(contexts[start], found))
        start = end
    return results


def _rejected(context: MutationContext, exc: BaseException) -> MutationResult:
    if isinstance(exc, _REJECTIONS):
        reason = readable(exc)
    else:
        logger.exception(
            "mutation %s (%s) could not be applied",
            context.mutation.mutation_id,
            context.mutation.name,
            exc_info=exc,
        )
        reason = "the server could not apply this mutation: a value in it cannot be processed"
    return MutationResult(
        mutation_id=context.mutation.mutation_id,
        status=MutationStatus.REJECTED,
        reason=reason,
    )


def _applied(context: MutationContext, note: str | None) -> MutationResult:
    item = context.review_items[-1] if context.review_items else None
    return MutationResult(
        mutation_id=context.mutation.mutation_id,
        status=MutationStatus.APPLIED,
        reason=note,
        review_item_id=item.id if item is not None else None,
    )


def _reset(context: MutationContext) -> None:
    context.published.clear()
    context.review_items.clear()
    context.clamped = False
    context.batch = None


def apply_one(context: MutationContext, found: Registration[Any] | None) -> MutationResult:
    """One mutation in its own savepoint."""
    mutation = context.mutation
    if found is None:
        return MutationResult(
            mutation_id=mutation.mutation_id,
            status=MutationStatus.REJECTED,
            reason=f"this server does not know the mutation {mutation.name!r}",
        )
    db = context.uow.db
    savepoint = db.begin_nested()
    try:
        if found.batch is None:
            note = found.apply(context, mutation.args)
        else:
            args = found.args.model_validate(mutation.args)
            context.batch = batch = found.batch(context)
            batch.prepare([args])
            note = found.handler(context, args)
            batch.write()
        db.flush()
        savepoint.commit()
    except BaseException as exc:
        savepoint.rollback()
        if transient(exc):
            raise
        _reset(context)
        return _rejected(context, exc)
    return _applied(context, note)


def _apply_run(found: Registration[Any], contexts: list[MutationContext]) -> list[MutationResult]:
    """Consecutive mutations of one batchable name, in one savepoint."""
    assert found.batch is not None
    db = contexts[0].uow.db
    parsed: list[Any] = []
    for context in contexts:
        try:
            parsed.append(found.args.model_validate(context.mutation.args))
        except ValidationError as exc:
            parsed.append(exc)
    batch = found.batch(contexts[0])
    savepoint = db.begin_nested()
    try:
        batch.prepare([a for a in parsed if not isinstance(a, ValidationError)])
        results = []
        for context, args in zip(contexts, parsed, strict=True):
            if isinstance(args, ValidationError):
                results.append(_rejected(context, args))
                continue
            context.batch, staged = batch, batch.staged()
            try:
                note = found.handler(context, args)
            except (MutationRejected, DomainError) as exc:
                if batch.staged() != staged or context.published or context.review_items:
                    raise _Unsafe from exc
                results.append(_rejected(context, exc))
                continue
            results.append(_applied(context, note))
        batch.write()
        db.flush()
        savepoint.commit()
    except BaseException as exc:
        savepoint.rollback()
        if transient(exc):
            raise
        # A clash no check foresaw, or one mutation's value the batch could not process:
        # apply them one by one, so that only the culprit is rejected.
        for context in contexts:
            _reset(context)
        return [apply_one(context, found) for context in contexts]
    return results
