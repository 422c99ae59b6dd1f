"""Images for posts: read by their content, stored once, thumbnailed, loaded to send.

:func:`probe` opens the bytes with Pillow and says what they are (JPEG, PNG, GIF or
WebP, the size in pixels as shown, whether a GIF moves), or raises :class:`MediaError`
with one line a person can act on: a file named ``.jpg`` that is really a PDF is
refused, a PNG named ``photo.jpg`` is a PNG. The whole image is decoded once, so a
truncated or damaged file is caught at upload and not by a network at 3 a.m.
Decompression bombs are refused before decoding (more than :data:`MAX_PIXELS`).

:func:`add_image` probes and stores an upload (file under ``HUBBUB_HOME/media``, row in
the workspace); :func:`thumbnail` makes (once) the small copy the Publish page shows;
:func:`load_images` reads a post's images back as :class:`~hubbub.model.MediaFile`
for the publishers.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from hubbub.model import MediaFile
from hubbub.settings import Settings
from hubbub.store import Store
from hubbub.store import media as rows

__all__ = [
    "FORMATS",
    "MAX_PIXELS",
    "ImageInfo",
    "MediaError",
    "add_image",
    "load_images",
    "media_root",
    "probe",
    "thumbnail",
]

#: Pillow's format name -> the MIME type networks are told
FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
#: more pixels than this is refused unread (a decompression bomb, or far beyond what any
#: network keeps: Mastodon's limit is 33,177,600)
MAX_PIXELS = 50_000_000
THUMB_SIDE = 480
#: EXIF orientations that turn the picture a quarter: width and height swap on screen
_TURNED = {5, 6, 7, 8}


class MediaError(ValueError):
    """The bytes are not an image hubbub can post; the message is one line."""


@dataclass(frozen=True, slots=True)
class ImageInfo:
    mime: str
    width: int  # as shown (EXIF orientation applied)
    height: int
    animated: bool
    size: int  # bytes


def media_root(settings: Settings) -> Path:
    """Where uploaded images live: ``HUBBUB_HOME/media``."""
    return Path(settings.home).expanduser() / "media"


def probe(data: bytes) -> ImageInfo:
    """What ``data`` is, read from the bytes themselves; MediaError if not a postable image."""
    if not data:
        raise MediaError("the file is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                kind = img.format or "unknown"
                if kind not in FORMATS:
                    raise MediaError(f"it is a {kind} image; images must be JPEG, PNG, GIF or WebP")
                width, height = img.size
                if width * height > MAX_PIXELS:
                    raise MediaError(
                        f"it is {width:,} × {height:,} pixels; at most {MAX_PIXELS:,} in all"
                    )
                animated = bool(getattr(img, "is_animated", False))
                turned = img.getexif().get(0x0112) in _TURNED
                img.load()  # decode it all: a truncated or damaged file fails here
    except MediaError:
        raise
    except UnidentifiedImageError:
        raise MediaError("it is not an image (JPEG, PNG, GIF or WebP)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError(f"it has too many pixels (at most {MAX_PIXELS:,})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise MediaError(f"the image is damaged ({reason})") from None
    if turned:
        width, height = height, width
    return ImageInfo(FORMATS[kind], width, height, animated, len(data))


def add_image(
    store: Store,
    root: Path,
    workspace_id: int,
    data: bytes,
    *,
    name: str,
    now: datetime,
    user_id: int | None = None,
) -> rows.MediaRow:
    """Probe ``data`` (MediaError if it is no postable image), store the file under
    ``root`` and the workspace's row for it; the row (the same one for the same bytes)."""
    info = probe(data)
    digest = rows.save_file(root, data)
    with store.begin() as conn:
        return rows.add_media(
            conn,
            workspace_id,
            sha256=digest,
            mime=info.mime,
            size=info.size,
            width=info.width,
            height=info.height,
            animated=info.animated,
            name=Path(name or "").name,
            now=now,
            created_by=user_id,
        )


def thumbnail(root: Path, row: rows.MediaRow) -> tuple[bytes, str]:
    """A copy at most :data:`THUMB_SIDE` pixels a side (turned upright), as (bytes, MIME
    type); made on first use and kept under ``root/thumbs``."""
    cached = rows.file_path(root / "thumbs", row.sha256)
    mime = "image/png" if row.mime in ("image/png", "image/gif") else "image/jpeg"
    if cached.is_file():
        return cached.read_bytes(), mime
    with Image.open(io.BytesIO(rows.read_file(root, row.sha256))) as img:
        small = ImageOps.exif_transpose(img)
        small.thumbnail((THUMB_SIDE, THUMB_SIDE))
        out = io.BytesIO()
        if mime == "image/png":
            small.save(out, "PNG", optimize=True)
        else:
            small.convert("RGB").save(out, "JPEG", quality=82)
    data = out.getvalue()
    cached.parent.mkdir(parents=True, exist_ok=True)
    temp = cached.with_name(cached.name + ".part")
    temp.write_bytes(data)
    temp.replace(cached)
    return data, mime


def load_images(root: Path, images: Sequence[rows.PostImage]) -> list[MediaFile]:
    """The post's images with their bytes, to send. FileNotFoundError (naming the file)
    when this machine does not have one (a worker with another HUBBUB_HOME)."""
    out = []
    for image in images:
        try:
            data = rows.read_file(root, image.media.sha256)
        except FileNotFoundError:
            raise FileNotFoundError(
                f"image {image.position + 1} ({image.media.name or image.media.sha256[:12]}) "
                f"is not in {root} on this machine"
            ) from None
        out.append(
            MediaFile(
                data=data,
                mime=image.media.mime,
                width=image.media.width,
                height=image.media.height,
                alt=image.alt,
                animated=image.media.animated,
            )
        )
    return out
