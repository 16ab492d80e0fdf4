"""Which reader an uploaded file goes to, and Apple's ``export.zip`` read without unpacking.

The format comes from the file's name when it names one (``.xml``, ``.zip``, ``.gpx``,
``.fit``, ``.json``), so that a file that is not what its name says is refused by that
format's reader; a file with another name is recognised by its first bytes. An Apple export
zip is read as a stream from its ``export.xml`` member, never written to disk, and refused
when that member unpacks (by its header or by the bytes actually read) to more than
``max_unpacked`` bytes: a zip bomb stops there.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import IO, cast

from server.wearables.parsers import PARSERS
from server.wearables.schemas import ImportFileRefused, ImportReport, SourceFormat

#: An export.xml may unpack to this many times its upload limit (Apple's compress ~15×).
UNPACKED_PER_PACKED = 100

_BY_SUFFIX = {
    ".xml": SourceFormat.APPLE_HEALTH,
    ".zip": SourceFormat.APPLE_HEALTH,
    ".gpx": SourceFormat.GPX,
    ".fit": SourceFormat.FIT,
    ".json": SourceFormat.GOOGLE_FIT,
}
_ZIP_MAGIC = b"PK\x03\x04"


def detect_format(filename: str, data: bytes) -> SourceFormat:
    """The file's format: by its name's suffix, else by its first bytes."""
    lowered = filename.lower()
    for suffix, found in _BY_SUFFIX.items():
        if lowered.endswith(suffix):
            return found
    if data.startswith(_ZIP_MAGIC) or data[8:12] == b".FIT":
        return SourceFormat.APPLE_HEALTH if data.startswith(_ZIP_MAGIC) else SourceFormat.FIT
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return SourceFormat.GOOGLE_FIT
    if head[:1] == b"<":
        return SourceFormat.GPX if b"<gpx" in head else SourceFormat.APPLE_HEALTH
    raise ImportFileRefused(
        "This is not an activity file ZMOS reads: send an Apple Health export (export.xml or "
        "export.zip), a GPX or FIT file, or a Google Fit sessions file (.json)."
    )


class _Capped(io.RawIOBase):
    """A zip member's stream that refuses to give more than ``cap`` bytes in one pass."""

    def __init__(self, inner: IO[bytes], cap: int) -> None:
        super().__init__()
        self._inner, self._cap, self._read = inner, cap, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if (offset, whence) != (0, io.SEEK_SET):
            raise io.UnsupportedOperation("only a rewind to the start")
        self._read = 0
        return self._inner.seek(0)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self._inner.read(len(buffer))
        self._read += len(chunk)
        if self._read > self._cap:
            raise ImportFileRefused(_too_big(self._cap))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _too_big(cap: int) -> str:
    size = f"{cap // (1024 * 1024)} MB" if cap >= 1024 * 1024 else f"{cap} bytes"
    return f"The export.xml inside the zip unpacks to more than {size}; such files are refused."


def _apple_zip(data: bytes, *, now: datetime, max_unpacked: int) -> ImportReport:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise ImportFileRefused(f"The zip file is not readable ({error}).") from error
    with archive:
        members = [
            info
            for info in archive.infolist()
            if info.filename.rsplit("/", 1)[-1] == "export.xml" and not info.is_dir()
        ]
        if not members:
            raise ImportFileRefused(
                "The zip file holds no export.xml: send the export.zip the Health app made."
            )
        info = min(members, key=lambda i: i.filename.count("/"))
        if info.file_size > max_unpacked:
            raise ImportFileRefused(_too_big(max_unpacked))
        try:
            with archive.open(info) as member:
                stream = io.BufferedReader(_Capped(member, max_unpacked), 1 << 16)
                return PARSERS[SourceFormat.APPLE_HEALTH](cast(IO[bytes], stream), now=now)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as error:
            raise ImportFileRefused(f"The zip file is not readable ({error}).") from error


def read_activity_file(
    filename: str,
    data: bytes,
    *,
    now: datetime,
    max_unpacked: int,
    max_hr: int | None = None,
) -> tuple[SourceFormat, ImportReport]:
    """The file's format and what its reader found; ``ImportFileRefused`` when it is not an
    activity file of the format it claims to be."""
    found = detect_format(filename, data)
    if found is SourceFormat.APPLE_HEALTH:
        if data.startswith(_ZIP_MAGIC) or filename.lower().endswith(".zip"):
            return found, _apple_zip(data, now=now, max_unpacked=max_unpacked)
        return found, PARSERS[found](io.BytesIO(data), now=now)
    if found is SourceFormat.GOOGLE_FIT:
        return found, PARSERS[found](data, now=now)
    return found, PARSERS[found](data, now=now, max_hr=max_hr)
