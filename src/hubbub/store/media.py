"""Images for scheduled posts: their files under HUBBUB_HOME and their rows.

Files are content-addressed: the bytes are written once to
``HOME/media/ab/abcdef…`` (the SHA-256 of the bytes, split after two characters so no
directory grows to millions of entries), by a write to a temporary name and an atomic
rename, so a reader never sees half a file and a second upload of the same image is
a no-op. A file is never changed in place, so it needs no lock.

The rows (``media``, ``post_media``, ``media_uploads``) say which workspace may use
which file, which images a post has (with their alt text, in order) and what each
network returned for them. Nothing here reads an image: checking that the bytes are
one (Pillow) is :mod:`hubbub.publish.media`'s job, before :func:`add_media`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from hubbub.store.tables import media, media_uploads, post_media
from hubbub.store.types import as_utc, opt_utc

__all__ = [
    "MediaRow",
    "PostImage",
    "StoredUpload",
    "add_media",
    "file_path",
    "media_by_sha",
    "post_images",
    "read_file",
    "record_upload",
    "save_file",
    "set_post_media",
    "sha256_of",
    "uploads",
]

_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class MediaRow:
    """An image a workspace uploaded: what its bytes are, as read when it was stored."""

    id: int
    workspace_id: int
    sha256: str
    mime: str
    size: int
    width: int
    height: int
    animated: bool
    name: str
    created: datetime


@dataclass(frozen=True, slots=True)
class PostImage:
    """One image of a post: its place (0-based), the file and its alt text."""

    position: int
    media: MediaRow
    alt: str


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """What a network returned for one uploaded image of a post."""

    network: str
    position: int
    ref: str
    uploaded: datetime
    expires: datetime | None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_path(root: Path, sha256: str) -> Path:
    """Where the file with this SHA-256 lives under ``root`` (HUBBUB_HOME/media)."""
    if len(sha256) != 64 or not set(sha256) <= _HEX:
        raise ValueError(f"{sha256!r} is not a SHA-256 in hex")
    return root / sha256[:2] / sha256


def save_file(root: Path, data: bytes) -> str:
    """Store ``data`` under ``root`` by its SHA-256 (once) and return the hash."""
    digest = sha256_of(data)
    target = file_path(root, digest)
    if target.is_file() and target.stat().st_size == len(data):
        return digest
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return digest


def read_file(root: Path, sha256: str) -> bytes:
    """The bytes stored under this hash; FileNotFoundError when this machine lacks them,
    ValueError when the file on disk no longer has that hash (it was damaged)."""
    data = file_path(root, sha256).read_bytes()
    if sha256_of(data) != sha256:
        raise ValueError(f"the stored image {sha256[:12]}… is damaged (its hash changed)")
    return data


def _row(r: Any) -> MediaRow:
    return MediaRow(
        id=r.id,
        workspace_id=r.workspace_id,
        sha256=r.sha256,
        mime=r.mime,
        size=r.size,
        width=r.width,
        height=r.height,
        animated=bool(r.animated),
        name=r.name,
        created=as_utc(r.created),
    )


def add_media(
    conn: Connection,
    workspace_id: int,
    *,
    sha256: str,
    mime: str,
    size: int,
    width: int,
    height: int,
    animated: bool,
    name: str,
    now: datetime,
    created_by: int | None = None,
) -> MediaRow:
    """The workspace's row for this file, made if it has none yet."""
    found = media_by_sha(conn, workspace_id, [sha256]).get(sha256)
    if found is not None:
        return found
    conn.execute(
        insert(media).values(
            workspace_id=workspace_id,
            sha256=sha256,
            mime=mime,
            size=size,
            width=width,
            height=height,
            animated=animated,
            name=name[:200],
            created=now,
            created_by=created_by,
        )
    )
    made = media_by_sha(conn, workspace_id, [sha256])[sha256]
    return made


def media_by_sha(conn: Connection, workspace_id: int, shas: Sequence[str]) -> dict[str, MediaRow]:
    """The workspace's rows for these hashes (hashes it has no row for are left out)."""
    if not shas:
        return {}
    c = media.c
    rows = conn.execute(
        select(media).where(c.workspace_id == workspace_id, c.sha256.in_(list(set(shas))))
    )
    return {r.sha256: _row(r) for r in rows}


def set_post_media(conn: Connection, post_id: int, images: Sequence[tuple[int, str]]) -> None:
    """Make ``images`` ((media id, alt text), in order) the post's images."""
    conn.execute(delete(post_media).where(post_media.c.post_id == post_id))
    if images:
        conn.execute(
            insert(post_media),
            [
                {"post_id": post_id, "position": i, "media_id": media_id, "alt": alt}
                for i, (media_id, alt) in enumerate(images)
            ],
        )


def post_images(conn: Connection, post_id: int) -> list[PostImage]:
    """The post's images in order."""
    pm = post_media.c
    rows = conn.execute(
        select(media, pm.position, pm.alt)
        .select_from(post_media.join(media, media.c.id == pm.media_id))
        .where(pm.post_id == post_id)
        .order_by(pm.position)
    )
    return [PostImage(r.position, _row(r), r.alt) for r in rows]


def record_upload(
    conn: Connection,
    post_id: int,
    network: str,
    position: int,
    *,
    ref: str,
    now: datetime,
    expires: datetime | None,
) -> None:
    """Keep what ``network`` returned for the post's image at ``position`` (replacing
    an earlier upload of it, which had expired)."""
    c = media_uploads.c
    conn.execute(
        delete(media_uploads).where(
            c.post_id == post_id, c.network == network, c.position == position
        )
    )
    conn.execute(
        insert(media_uploads).values(
            post_id=post_id,
            network=network,
            position=position,
            ref=ref,
            uploaded=now,
            expires=expires,
        )
    )


def uploads(conn: Connection, post_id: int, network: str) -> dict[int, StoredUpload]:
    """position -> what ``network`` returned for that image of the post."""
    c = media_uploads.c
    rows = conn.execute(select(media_uploads).where(c.post_id == post_id, c.network == network))
    return {
        r.position: StoredUpload(
            r.network, r.position, r.ref, as_utc(r.uploaded), opt_utc(r.expires)
        )
        for r in rows
    }
