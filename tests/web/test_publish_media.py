"""The Publish page's images: multipart uploads with CSRF, checks by content, thumbnails."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from PIL import Image

from hubbub.publish.media import add_image
from hubbub.settings import Settings
from hubbub.store import media as media_rows
from hubbub.store import publish as queries
from hubbub.store.users import add_membership, create_user
from tests.images import jpeg, padded, png
from tests.web.conftest import NOW, PASSWORD, Populated, login

URL = "/w/larkspur/publish"


def _csrf(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(URL).text)
    assert found is not None
    return found.group(1)


def _fields(token: str, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf_token": token,
        "action": "attach",
        "text": "Rye is back",
        "networks": ["x", "mastodon", "bluesky"],
        "when": "2026-03-12T08:30",
        "kind": "conversation",
    }
    data.update(changes)
    return data


def _shas(page: str) -> list[str]:
    return re.findall(r'name="media_\d_sha" value="([0-9a-f]{64})"', page)


def test_an_attached_image_is_stored_by_content_and_shown(
    logged_in: TestClient, app_settings: Settings, populated: Populated
) -> None:
    photo = jpeg(120, 80)
    page = logged_in.post(
        URL,
        data=_fields(_csrf(logged_in), media_1_alt="Rye loaves"),
        files={"media_1_file": ("rye.jpg", photo, "image/jpeg")},
    )
    assert page.status_code == 200
    [sha] = _shas(page.text)
    stored = app_settings.home / "media" / sha[:2] / sha
    assert stored.read_bytes() == photo
    assert f'src="{URL}/media/{sha}"' in page.text  # thumbnail in the form and the previews
    assert "rye.jpg" in page.text and "JPEG, 120 × 80" in page.text
    assert 'value="Rye loaves"' in page.text
    assert page.text.count(f'{URL}/media/{sha}" alt="Rye loaves"') == 3  # one per network
    thumb = logged_in.get(f"{URL}/media/{sha}")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumb.content)) as img:
        assert img.size == (120, 80)  # small already: not enlarged
    # the same bytes again: one file, one row
    again = logged_in.post(
        URL,
        data=_fields(_csrf(logged_in)),
        files={"media_1_file": ("copy.jpg", photo, "image/jpeg")},
    )
    assert _shas(again.text) == [sha]
    with populated.store.connect() as conn:
        assert list(media_rows.media_by_sha(conn, populated.larkspur_id, [sha])) == [sha]


def test_a_file_is_judged_by_its_bytes_not_its_name(logged_in: TestClient) -> None:
    token = _csrf(logged_in)
    fake = logged_in.post(
        URL,
        data=_fields(token),
        files={"media_1_file": ("menu.jpg", b"%PDF-1.7 the spring menu", "image/jpeg")},
    )
    assert fake.status_code == 200 and _shas(fake.text) == []
    assert "image 1 (menu.jpg) was not attached: it is not an image (JPEG, PNG, GIF or WebP)" in (
        fake.text
    )
    # a PNG named .jpg is a PNG
    named = logged_in.post(
        URL, data=_fields(token), files={"media_1_file": ("photo.jpg", png(), "image/jpeg")}
    )
    assert "PNG, 64 × 48" in named.text


def test_scheduling_keeps_the_images_with_their_alt_text(
    logged_in: TestClient, populated: Populated
) -> None:
    token = _csrf(logged_in)
    page = logged_in.post(
        URL,
        data=_fields(token),
        files={
            "media_1_file": ("a.jpg", jpeg(), "image/jpeg"),
            "media_2_file": ("b.png", png(), "image/png"),
        },
    )
    first, second = _shas(page.text)
    # alt text is missing on the second: a warning, not an error
    assert "image 2 (b.png) has no alt text" in page.text
    saved = logged_in.post(
        URL,
        data=_fields(
            token,
            action="schedule",
            media_1_sha=first,
            media_1_alt="Rye loaves",
            media_2_sha=second,
            media_2_alt="",
        ),
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    with populated.store.connect() as conn:
        [post] = queries.list_posts(conn, populated.larkspur_id)
        images = media_rows.post_images(conn, post.id)
    assert [(i.media.sha256, i.alt, i.media.mime) for i in images] == [
        (first, "Rye loaves", "image/jpeg"),
        (second, "", "image/png"),
    ]


def test_network_limits_are_shown_live_and_refused_on_save(
    logged_in: TestClient, populated: Populated
) -> None:
    token = _csrf(logged_in)
    page = logged_in.post(
        URL,
        data=_fields(token),
        files={"media_1_file": ("big.jpg", padded(1_500_000), "image/jpeg")},
    )
    [sha] = _shas(page.text)
    counters = logged_in.post(
        URL + "/check",
        data={"text": "Rye", "networks": ["x", "bluesky"], "media_1_sha": sha, "media_1_alt": "r"},
        headers={"X-CSRF-Token": token},
    )
    assert (
        "image 1 (big.jpg) is 1,500,000 bytes; Bluesky takes at most 1,000,000 bytes per image"
        in counters.text
    )
    assert f"{URL}/media/{sha}" in counters.text  # the preview comes along
    refused = logged_in.post(
        URL, data=_fields(token, action="schedule", media_1_sha=sha, media_1_alt="r")
    )
    assert refused.status_code == 422 and "Bluesky takes at most" in refused.text
    assert _shas(refused.text) == [sha]  # the form keeps the image
    ok = logged_in.post(
        URL,
        data=_fields(token, action="schedule", networks=["x"], media_1_sha=sha, media_1_alt="r"),
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_remove_drops_one_image(logged_in: TestClient) -> None:
    token = _csrf(logged_in)
    page = logged_in.post(
        URL,
        data=_fields(token),
        files={
            "media_1_file": ("a.jpg", jpeg(), "image/jpeg"),
            "media_2_file": ("b.png", png(), "image/png"),
        },
    )
    first, second = _shas(page.text)
    left = logged_in.post(
        URL,
        data=_fields(token, action="remove-1", media_1_sha=first, media_2_sha=second),
    )
    assert _shas(left.text) == [second]


def test_uploads_need_the_token(logged_in: TestClient) -> None:
    photo = {"media_1_file": ("a.jpg", jpeg(), "image/jpeg")}
    assert logged_in.post(URL, data=_fields(""), files=photo).status_code == 403


def test_thumbnails_are_for_members_of_the_images_workspace(
    client: TestClient, populated: Populated, app_settings: Settings
) -> None:
    row = add_image(
        populated.store,
        app_settings.home / "media",
        populated.larkspur_id,
        jpeg(),
        name="a.jpg",
        now=NOW,
    )
    login(client, "bob")  # a member of another workspace only
    assert client.get(f"{URL}/media/{row.sha256}").status_code == 404
    assert client.get(f"/w/other/publish/media/{row.sha256}").status_code == 404  # not theirs
    assert client.get(f"/w/other/publish/media/{'0' * 64}").status_code == 404


def test_staff_attach_images_as_they_save_drafts(client: TestClient, populated: Populated) -> None:
    with populated.store.begin() as conn:
        uid = create_user(conn, "sam", PASSWORD)
        add_membership(conn, uid, populated.larkspur_id, "staff")
    login(client, "sam")
    token = _csrf(client)
    photo = {"media_1_file": ("a.jpg", jpeg(), "image/jpeg")}
    staff = client.post(URL, data=_fields(token), files=photo)
    assert staff.status_code == 200
    [sha] = _shas(staff.text)
    assert client.get(f"{URL}/media/{sha}").status_code == 200
    draft = client.post(
        URL,
        data=_fields(token, action="draft", media_1_sha=sha, media_1_alt="a loaf"),
        follow_redirects=False,
    )
    assert draft.status_code == 303
    with populated.store.connect() as conn:
        [post] = queries.list_posts(conn, populated.larkspur_id)
        assert [i.alt for i in media_rows.post_images(conn, post.id)] == ["a loaf"]
