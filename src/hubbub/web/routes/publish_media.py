"""The Publish page's images: the form's image slots, uploads, and what the page shows.

The composer has :data:`MEDIA_SLOTS` image slots. A slot is empty (a file input and an
alt text), or holds an image already stored (its SHA-256 in a hidden field, its
thumbnail, its alt text and a Remove button). The form is ``multipart/form-data``;
each slot's fields are named ``media_N_file``, ``media_N_sha`` and ``media_N_alt``
(N from 1), so an alt text always stays with its image whatever the browser sends for
empty file inputs. An upload is stored as soon as the form comes in (whatever the
button), so a form shown again after an error keeps its images without sending them
twice. Only images of the page's workspace are ever shown or attached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Connection
from starlette.datastructures import UploadFile

from hubbub.publish.compose import Attachment
from hubbub.publish.media import MediaError, add_image
from hubbub.store import Store
from hubbub.store.media import MediaRow, media_by_sha

__all__ = [
    "MAX_UPLOAD_BYTES",
    "MEDIA_SLOTS",
    "Slot",
    "SlotsDep",
    "attachments",
    "read_slots",
    "slot_views",
    "store_uploads",
    "without",
]

MEDIA_SLOTS = 4
#: a file larger than this is refused unread: no network takes more than 16 MB
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Slot:
    """One image slot as the form sent it."""

    sha: str = ""
    alt: str = ""
    name: str = ""  # the chosen file's name
    data: bytes | None = None  # a file chosen in this submission
    too_big: bool = False


async def read_slots(request: Request) -> list[Slot]:
    """The form's image slots, in order (the form is parsed once per request)."""
    if not request.headers.get("content-type", "").startswith(
        ("multipart/form-data", "application/x-www-form-urlencoded")
    ):
        return []
    form = await request.form()
    slots = []
    for n in range(1, MEDIA_SLOTS + 1):
        sha = form.get(f"media_{n}_sha")
        alt = form.get(f"media_{n}_alt")
        upload = form.get(f"media_{n}_file")
        data, name, too_big = None, "", False
        if isinstance(upload, UploadFile) and upload.filename:
            name = upload.filename
            data = await upload.read(MAX_UPLOAD_BYTES + 1)
            too_big = len(data) > MAX_UPLOAD_BYTES
        slots.append(
            Slot(
                sha=sha.strip().lower() if isinstance(sha, str) else "",
                alt=alt.strip() if isinstance(alt, str) else "",
                name=name,
                data=data,
                too_big=too_big,
            )
        )
    return slots


SlotsDep = Annotated[list[Slot], Depends(read_slots)]


def without(slots: Sequence[Slot], action: str) -> list[Slot]:
    """The slots less the one a ``remove-N`` action names."""
    _, _, number = action.partition("remove-")
    drop = int(number) - 1 if number.isdigit() else -1
    return [s for i, s in enumerate(slots) if i != drop]


def store_uploads(
    store: Store,
    root: Path,
    workspace_id: int,
    slots: Sequence[Slot],
    *,
    now: datetime,
    user_id: int | None,
) -> tuple[list[Slot], list[str]]:
    """Store the files chosen in this submission; the slots (each now naming its stored
    image) and one message per file refused, naming it."""
    kept: list[Slot] = []
    errors: list[str] = []
    for i, slot in enumerate(slots):
        if slot.data is None:
            kept.append(slot)
            continue
        label = f"image {i + 1} ({slot.name})"
        if slot.too_big:
            errors.append(f"{label} is over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
            kept.append(replace(slot, data=None, name=""))
            continue
        try:
            row = add_image(
                store, root, workspace_id, slot.data, name=slot.name, now=now, user_id=user_id
            )
        except MediaError as exc:
            errors.append(f"{label} was not attached: {exc}")
            kept.append(replace(slot, data=None, name=""))
            continue
        kept.append(replace(slot, sha=row.sha256, data=None, name=row.name))
    return kept, errors


def _stored(conn: Connection, workspace_id: int, slots: Sequence[Slot]) -> dict[str, MediaRow]:
    return media_by_sha(conn, workspace_id, [s.sha for s in slots if s.sha])


def attachments(
    conn: Connection, workspace_id: int, slots: Sequence[Slot]
) -> tuple[Attachment, ...]:
    """The slots holding one of the workspace's images, as the composer checks them."""
    rows = _stored(conn, workspace_id, slots)
    return tuple(_attachment(rows[s.sha], s.alt) for s in slots if s.sha in rows)


def _attachment(row: MediaRow, alt: str) -> Attachment:
    return Attachment(
        sha256=row.sha256,
        mime=row.mime,
        size=row.size,
        width=row.width,
        height=row.height,
        alt=alt,
        name=row.name,
        animated=row.animated,
    )


def slot_views(
    conn: Connection, workspace_id: int, slots: Sequence[Slot], base: str
) -> list[dict[str, Any]]:
    """What the template draws for each of the :data:`MEDIA_SLOTS` slots: the stored
    images first (with their thumbnails), then empty slots."""
    rows = _stored(conn, workspace_id, slots)
    views: list[dict[str, Any]] = []
    for slot in slots:
        row = rows.get(slot.sha)
        if row is None:
            continue
        kind = row.mime.removeprefix("image/").upper()
        views.append(
            {
                "sha": row.sha256,
                "alt": slot.alt,
                "name": row.name or f"{row.sha256[:12]}…",
                "thumb": f"{base}/media/{row.sha256}",
                "about": f"{kind}{' (animated)' if row.animated else ''}, "
                f"{row.width} × {row.height}, {_size(row.size)}",
            }
        )
    while len(views) < MEDIA_SLOTS:
        views.append({"sha": "", "alt": "", "name": "", "thumb": "", "about": ""})
    return views[:MEDIA_SLOTS]


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{max(1, round(n / 1024))} KB"
