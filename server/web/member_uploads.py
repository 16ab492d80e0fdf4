"""Files sent from the console's forms (a member's photo, a members CSV) and the imports
they start.

An upload is a ``multipart/form-data`` form: its CSRF field is checked as every other form's
is, and it is read with the standard library's MIME parser, as the API reads its CSV
uploads. An import runs in a thread of its own; the page polls its progress, kept here in
memory by the import's id (an import is a few seconds of one server's work: nothing to keep
once it is read)."""

from __future__ import annotations

import hmac
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser

from starlette.requests import Request

from server.errors import DomainError
from server.members.csv_import import CsvRefused, read_csv
from server.members.schemas import ImportResult
from server.ports.identity import AccessClaims
from server.web.sessions import CSRF_COOKIE, WebRefusal, csrf_token

#: Room for a form's boundaries and part headers around the file.
_FORM_OVERHEAD = 64 * 1024
#: How long a finished import's report stays readable.
KEEP_SECONDS = 3600


@dataclass(frozen=True)
class Upload:
    fields: dict[str, str]
    #: The file field's bytes, its declared type and its name.
    data: bytes
    content_type: str
    filename: str


def _expired() -> WebRefusal:
    return WebRefusal(
        403,
        "This form has expired",
        "The form was not sent from this site's page, or it is too old. "
        "Go back, reload the page and send it again.",
    )


async def checked_upload(request: Request, file_field: str, limit: int) -> Upload:
    """The form's fields and its one file, once its CSRF token matches this browser's
    cookie; a file over ``limit`` bytes is refused (413) before it is parsed."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "multipart/form-data":
        raise _expired()
    declared = request.headers.get("content-length", "")
    too_large = WebRefusal(
        413, "File too large", f"The file is larger than {limit // (1024 * 1024)} MB."
    )
    if declared.isdigit() and int(declared) > limit + _FORM_OVERHEAD:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit + _FORM_OVERHEAD:
            raise too_large
        chunks.append(chunk)
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + b"".join(chunks)
    )
    fields: dict[str, str] = {}
    data, kind, filename = b"", "", ""
    for part in message.iter_parts() if message.is_multipart() else iter(()):
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        if name == file_field:
            data, kind = raw, part.get_content_type()
            filename = str(part.get_filename() or "")
        elif isinstance(name, str):
            fields[name] = raw.decode("utf-8", "replace")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(fields.pop("csrf", ""), csrf_token(request)):
        raise _expired()
    if len(data) > limit:
        raise too_large
    return Upload(fields, data, kind, filename)


# --- imports ---------------------------------------------------------------------------------


@dataclass
class ImportJob:
    id: uuid.UUID
    tenant_id: uuid.UUID
    by: uuid.UUID
    filename: str
    rows: int = 0
    #: received → checking → saving → done (or failed, with ``error``).
    stage: str = "received"
    result: ImportResult | None = None
    error: str | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def done(self) -> bool:
        return self.stage in ("done", "failed")

    @property
    def percent(self) -> int:
        return {"received": 10, "checking": 35, "saving": 70}.get(self.stage, 100)


_jobs: dict[uuid.UUID, ImportJob] = {}
_lock = threading.Lock()


def _forget_old() -> None:
    now = time.monotonic()
    for job_id in [j.id for j in _jobs.values() if now - j.started > KEEP_SECONDS]:
        del _jobs[job_id]


def start_import(
    claims: AccessClaims,
    filename: str,
    data: bytes,
    run: Callable[[bytes], ImportResult],
) -> ImportJob:
    """A job for the file; ``run`` (the members service's import, with this account's
    claims) works in a thread of its own while the page polls the job."""
    job = ImportJob(
        id=uuid.uuid4(), tenant_id=claims.tenant_id, by=claims.subject_id, filename=filename
    )
    with _lock:
        _forget_old()
        _jobs[job.id] = job

    def work() -> None:
        try:
            job.stage = "checking"
            try:
                job.rows = sum(1 for _ in read_csv(data))
            except CsvRefused:
                job.rows = 0  # the service's own refusal below says why
            job.stage = "saving"
            job.result = run(data)
            job.stage = "done"
        except DomainError as exc:
            job.error, job.stage = exc.detail, "failed"
        except Exception:  # reported on the page; the thread's own handler logs the rest
            job.error, job.stage = "the import stopped on an unexpected error", "failed"
            raise

    threading.Thread(target=work, name=f"import-{job.id}", daemon=True).start()
    return job


def job_of(claims: AccessClaims, job_id: uuid.UUID) -> ImportJob | None:
    """The account's own import (another account's, or another tenant's, is not found)."""
    with _lock:
        job = _jobs.get(job_id)
    if job is None or (job.tenant_id, job.by) != (claims.tenant_id, claims.subject_id):
        return None
    return job
