"""Member photos are decoded and encoded again on upload, so what is stored and served back
is an image Pillow wrote: nothing after the image data, no metadata, no bytes a browser could
take for HTML or script."""

from __future__ import annotations

import io
import warnings

from PIL import Image, UnidentifiedImageError

#: Far beyond any camera a front desk uses, far below what would exhaust memory.
MAX_PIXELS = 40_000_000
_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


def reencode(data: bytes, kind: str) -> bytes:
    """The photo encoded afresh in its own format; ValueError when it is not a whole image."""
    expected = _FORMATS[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[expected]) as image:
                if image.width * image.height > MAX_PIXELS:
                    raise ValueError("the photo has too many pixels")
                image.load()
                pixels = image.convert("RGBA" if _has_alpha(image) else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValueError(f"the body is not a readable {expected} image") from exc
    except Image.DecompressionBombWarning as exc:
        raise ValueError("the photo has too many pixels") from exc
    out = io.BytesIO()
    if expected == "JPEG":
        pixels.convert("RGB").save(out, "JPEG", quality=90)
    else:
        pixels.save(out, "PNG", optimize=False)
    return out.getvalue()


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


#: What a kiosk caches per member: small enough for thousands on a front-desk disk.
THUMBNAIL_MAX_BYTES = 20 * 1024
THUMBNAIL_SIDE = 160


def thumbnail(data: bytes, max_bytes: int = THUMBNAIL_MAX_BYTES) -> bytes:
    """A JPEG of at most ``THUMBNAIL_SIDE`` pixels a side and ``max_bytes``: the quality
    steps down until it fits (a stored photo is always one Pillow wrote)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        small = image.convert("RGB")
    small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    out = b""
    for quality in (80, 65, 50, 35, 20):
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=quality)
        out = buffer.getvalue()
        if len(out) <= max_bytes:
            return out
    small.thumbnail((THUMBNAIL_SIDE // 2, THUMBNAIL_SIDE // 2))
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=20)
    return buffer.getvalue()
