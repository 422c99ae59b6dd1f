"""Saving a post from the composer: check it, then store it as a draft or scheduled.

The web page and the CLI hand a :class:`PostForm` to :func:`save`; it runs the same
:func:`~hubbub.publish.compose.check` the live counters show, refuses a schedule
without a time or with a time already past, and stores the post and its images (already
uploaded: :func:`hubbub.publish.media.add_image`) in one transaction.
Scheduling needs the manager role; that is checked by the caller (the web page's
``require_role``), since roles live with the session, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from hubbub.publish.compose import Attachment, Composition, check
from hubbub.store import Store
from hubbub.store import media as media_rows
from hubbub.store import publish as queries

__all__ = ["PostForm", "SaveResult", "local_to_utc", "save"]


@dataclass(frozen=True, slots=True)
class PostForm:
    """What the composer sends: the parts, where, when (aware), and why."""

    parts: tuple[str, ...]
    networks: tuple[str, ...]
    media: tuple[Attachment, ...] = ()
    scheduled_for: datetime | None = None
    kind: str = "conversation"
    goal: str | None = None
    campaign: str = ""
    track_links: bool = True


@dataclass(frozen=True, slots=True)
class SaveResult:
    composition: Composition
    errors: tuple[str, ...] = ()
    post_id: int | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.post_id is not None


def local_to_utc(value: str, tz: str) -> datetime | None:
    """A ``YYYY-MM-DDTHH:MM`` wall-clock time in ``tz`` as an aware datetime, or None
    when empty or not a time. A time skipped by a DST change moves forward an hour."""
    value = value.strip()
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive
    zone = ZoneInfo(tz)
    local = naive.replace(tzinfo=zone)
    # zoneinfo gives a nonexistent time the offset before the gap; normalise it
    return local.astimezone(ZoneInfo("UTC")).astimezone(zone)


def save(
    store: Store,
    workspace_id: int,
    form: PostForm,
    *,
    schedule: bool,
    now: datetime,
    user_id: int | None = None,
) -> SaveResult:
    """Check ``form`` and store it (scheduled when ``schedule``, else a draft)."""
    composition = check(form.parts, form.networks, form.media)
    errors = list(composition.errors)
    if form.kind not in queries.POST_KINDS:
        errors.append(f"kind must be one of {', '.join(queries.POST_KINDS)}")
    if schedule:
        if form.scheduled_for is None:
            errors.append("pick a time to schedule the post for")
        elif form.scheduled_for <= now:
            errors.append("the time is in the past: pick a later one")
    if errors:
        return SaveResult(composition, tuple(errors))
    with store.begin() as conn:
        stored = media_rows.media_by_sha(conn, workspace_id, [m.sha256 for m in form.media])
        missing = [m.label(i) for i, m in enumerate(form.media) if m.sha256 not in stored]
        if missing:
            return SaveResult(
                composition, (f"{missing[0]} is not stored any more: attach it again",)
            )
        post_id = queries.create_post(
            conn,
            workspace_id,
            text=composition.parts[0],
            thread=composition.parts[1:],
            networks=composition.networks,
            state="scheduled" if schedule else "draft",
            scheduled_for=form.scheduled_for,
            created_by=user_id,
            goal=form.goal,
            kind=form.kind,
            track_links=form.track_links,
            campaign=form.campaign.strip(),
            now=now,
        )
        media_rows.set_post_media(
            conn, post_id, [(stored[m.sha256].id, m.alt.strip()) for m in form.media]
        )
    return SaveResult(composition, (), post_id, composition.warnings)
