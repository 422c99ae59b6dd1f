"""The inbox: triage rules, priority, state transitions, times, bulk, notes and audit."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hubbub import inbox
from hubbub.inbox import Candidate, InboxError
from hubbub.model import (
    Account,
    Batch,
    Competitor,
    Entities,
    Extent,
    Insight,
    Intent,
    Mention,
    Post,
    Sentiment,
    Span,
    Stream,
    TeamMember,
    Who,
    Why,
    Workspace,
)
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store import inbox as q
from hubbub.store.tables import audit_log, inbox_items
from hubbub.store.users import add_membership, create_user
from tests.store.helpers import pg_url as pg_url
from tests.store.helpers import store as store

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
WS = Workspace(
    slug="larkspur",
    name="Larkspur Bakery",
    handles={"x": "larkspurbakes", "mastodon": "larkspur@mastodon.social"},
    competitors=(Competitor("Flour Child", {"x": "flourchildavl"}),),
    team=(TeamMember("Sam Reed", handles={"x": "samreedavl"}),),
    streams=(
        Stream("Brand", "larkspur OR @larkspurbakes", "brand"),
        Stream("Flour Child", "@flourchildavl", "competitor"),
        Stream("Town", "asheville", "locale"),
        Stream("Trade", "bakery", "industry"),
    ),
    response_target_hours=4.0,
)
BIZ = Account("x", "100", "larkspurbakes", "Larkspur Bakery", followers=3000)


def cand(**changes: object) -> Candidate:
    base = Candidate(
        network="x",
        author_handle="ann",
        relationship="new",
        post_type="original",
        intents=("question",),
        sentiment_label="neutral",
        sentiment_score=0.0,
        followers=99,
        stream_kinds=("brand",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- pure rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({}, "question"),
        ({"intents": ("complaint", "question")}, "complaint"),
        ({"intents": ("purchase_intent",)}, "purchase_intent"),
        ({"intents": ("praise",)}, None),  # about us, but nothing to act on
        ({"intents": ("praise",), "mentioned": ("LarkspurBakes",)}, "mention"),
        ({"intents": ("other",), "reply_to_handle": "larkspurbakes"}, "reply"),
        ({"intents": ("spam_promo", "question"), "mentioned": ("larkspurbakes",)}, None),
        ({"relationship": "business"}, None),
        ({"relationship": "staff"}, None),
        ({"author_handle": "SamReedAVL"}, None),  # a team handle even if insight missed it
        ({"post_type": "repost"}, None),
        ({"stream_kinds": ("locale",)}, None),  # "who's going to the fair?" is not ours
        ({"stream_kinds": ("industry",)}, "question"),  # a question about our trade: a lead
        ({"stream_kinds": ("industry",), "intents": ("complaint",)}, None),
        ({"stream_kinds": ("locale",), "intents": ("recommendation_request",)}, None),
        (
            {"stream_kinds": ("industry",), "intents": ("recommendation_request",)},
            "recommendation_request",
        ),
        ({"stream_kinds": ("competitor",), "mentioned": ("flourchildavl",)}, None),
        (
            {
                "stream_kinds": ("competitor", "brand"),
                "mentioned": ("flourchildavl", "larkspurbakes"),
            },
            "question",
        ),
        ({"network": "mastodon", "intents": ("other",), "mentioned": ("larkspur",)}, "mention"),
    ],
)
def test_needs_person(changes: dict[str, object], reason: str | None) -> None:
    assert inbox.needs_person(cand(**changes), WS) == reason


def test_base_priority_follows_the_documented_formula() -> None:
    plain = inbox.base_priority(cand(followers=0), WS)
    assert plain == 30.0  # question, nothing else
    assert inbox.base_priority(cand(followers=0, intents=("complaint",)), WS) == 40.0
    addressed = inbox.base_priority(cand(followers=0, mentioned=("larkspurbakes",)), WS)
    assert addressed == plain + 10
    negative = inbox.base_priority(
        cand(followers=0, sentiment_label="negative", sentiment_score=-0.6), WS
    )
    assert negative == pytest.approx(plain + 10 + 15 * 0.6)
    reach = inbox.base_priority(cand(followers=999), WS)
    assert reach == pytest.approx(plain + 5 * math.log10(1000))
    capped = inbox.base_priority(cand(followers=10**9), WS)
    assert capped == plain + 25


def test_complaint_from_a_big_angry_account_outranks_a_quiet_question() -> None:
    loud = cand(
        intents=("complaint",), sentiment_label="negative", sentiment_score=-0.9, followers=20_000
    )
    quiet = cand(followers=12)
    assert inbox.base_priority(loud, WS) > inbox.base_priority(quiet, WS)


@pytest.mark.parametrize(
    ("hours", "points"),
    [(0, 0), (1.9, 0), (2, 10), (3.9, 10), (4, 20), (71, 20), (72, 10), (335, 10), (336, 0)],
)
def test_age_points_rise_past_the_target_then_fade(hours: float, points: float) -> None:
    assert inbox.age_points(hours, 4.0) == points


@pytest.mark.parametrize("target", [1.0, 4.0, 24.0, 100.0, 500.0])
def test_age_steps_agree_with_age_points(target: float) -> None:
    now = T0
    steps = inbox.age_steps(now, target)
    cutoffs = [c for c, _ in steps]
    assert cutoffs == sorted(cutoffs, reverse=True)  # newest first, as the CASE needs
    for hours in (0.1, target / 2 + 0.01, target + 0.01, 80.0, 400.0, 1000.0):
        created = now - timedelta(hours=hours)
        from_steps = next((p for c, p in steps if created > c), 0.0)
        assert from_steps == inbox.age_points(hours, target), hours


def test_reply_length_counts_as_each_network_does() -> None:
    url = "https://example.com/" + "a" * 80
    assert inbox.reply_length(f"see {url}", "x")[:2] == (4 + 23, 280)  # t.co: 23
    assert inbox.reply_length("日本", "x")[0] == 4  # CJK weighs 2
    assert inbox.reply_length("a" * 281, "x")[2] is False
    assert inbox.reply_length("a" * 500, "mastodon") == (500, 500, True)
    assert inbox.reply_length("a" * 301, "bluesky")[2] is False
    assert inbox.reply_length("   ", "mastodon")[2] is False
    # Mastodon counts every URL as 23 characters, however long
    assert inbox.reply_length(f"see {url}", "mastodon")[:2] == (4 + 23, 500)
    # Bluesky counts graphemes: a family emoji of five code points is one
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert inbox.reply_length(f"hi {family}", "bluesky")[0] == 4


# --- triage against a store -------------------------------------------------------------------


@dataclass
class Spec:
    id: str
    text: str
    intents: tuple[Intent, ...] = ("question",)
    streams: tuple[str, ...] = ("Brand",)
    author: Account | None = None
    minutes: int = 0
    sentiment: float = 0.0
    relationship: str = "new"
    reply_to: str | None = None
    reply_to_handle: str | None = None
    conversation: str | None = None
    repost_of: str | None = None


def person(i: int, followers: int = 50) -> Account:
    return Account("x", f"p{i}", f"person{i}", f"Person {i}", followers=followers)


def make(spec: Spec) -> Mention:
    author = spec.author or person(1)
    handles = [w[1:] for w in spec.text.split() if w.startswith("@")]
    spans = tuple(Span(h, 0, len(h) + 1) for h in handles)
    post = Post(
        network="x",
        id=spec.id,
        author=author,
        text=spec.text,
        created=T0 + timedelta(minutes=spec.minutes),
        reply_to=spec.reply_to,
        reply_to_handle=spec.reply_to_handle,
        conversation_id=spec.conversation or spec.id,
        repost_of=spec.repost_of,
        entities=Entities(mentions=spans),
    )
    label = "negative" if spec.sentiment < 0 else "neutral"
    insight = Insight(
        who=Who(handle=author.handle, followers=author.followers, relationship=spec.relationship),  # type: ignore[arg-type]
        why=Why(intents=spec.intents),
        extent=Extent(reach=author.followers or 0),
        sentiment=Sentiment(label, spec.sentiment),  # type: ignore[arg-type]
    )
    return Mention(WS.slug, post, spec.streams, insight)


SPECS = (
    Spec("q1", "@larkspurbakes are you open sunday?", author=person(1, 120)),
    Spec("c1", "larkspur burnt my bread", ("complaint",), author=person(2, 20_000), sentiment=-0.8),
    Spec("spam", "@larkspurbakes buy followers now", ("spam_promo",), author=person(3)),
    Spec("own", "larkspur: what bread do you want?", author=BIZ, relationship="business"),
    Spec(
        "staff", "larkspur open late?", author=Account("x", "s", "samreedavl"), relationship="staff"
    ),
    Spec("q2", "larkspur any gluten free?", author=person(4)),
    Spec("praise", "@larkspurbakes love it", ("praise",), author=person(5)),
    Spec("plain", "larkspur is lovely", ("praise",), author=person(6)),
    Spec("rival", "@flourchildavl open today?", streams=("Flour Child",), author=person(7)),
    Spec("town", "who is going to the asheville fair?", streams=("Town",), author=person(8)),
    Spec(
        "lead",
        "best bakery around here?",
        ("recommendation_request",),
        streams=("Trade",),
        author=person(9),
    ),
    Spec("rt", "RT larkspur any gluten free?", repost_of="q2", author=person(10)),
)
EXPECTED = {
    "q1": "question",
    "c1": "complaint",
    "praise": "mention",
    "lead": "recommendation_request",
}


def fill(st: Store, specs: tuple[Spec, ...], extra: list[Post] | None = None) -> int:
    with st.begin() as conn:
        ws_id = upsert_workspace(conn, WS)
        found = [make(s) for s in specs]
        write_batch(conn, ws_id, Batch("t", [m.post for m in found] + (extra or [])), found)
    return ws_id


def answer(native: str, parent: str, minutes: int, conversation: str | None = None) -> Post:
    return Post(
        "x",
        native,
        BIZ,
        "@person thanks, we will!",
        T0 + timedelta(minutes=minutes),
        reply_to=parent,
        reply_to_handle="person",
        conversation_id=conversation or parent,
    )


def reasons(st: Store, ws_id: int) -> dict[str, str]:
    from hubbub.store.tables import mentions, posts

    with st.connect() as conn:
        rows = conn.execute(
            select(posts.c.native_id, inbox_items.c.reason)
            .join(mentions, mentions.c.id == inbox_items.c.mention_id)
            .join(posts, posts.c.id == mentions.c.post_id)
            .where(inbox_items.c.workspace_id == ws_id)
        ).all()
    return {r.native_id: r.reason for r in rows}


def test_triage_picks_what_needs_a_person_and_is_idempotent(store: Store) -> None:
    ws_id = fill(store, SPECS, [answer("a2", "q2", 30)])  # q2 answered by the business
    with store.begin() as conn:
        first = inbox.triage(conn, ws_id, now=T0 + timedelta(hours=1))
    assert reasons(store, ws_id) == EXPECTED
    assert first.created == len(EXPECTED)
    with store.begin() as conn:
        again = inbox.triage(conn, ws_id, now=T0 + timedelta(hours=2))
    assert (again.created, again.auto_replied) == (0, 0)
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(inbox_items)).scalar_one() == 4
        prio = dict(conn.execute(select(inbox_items.c.reason, inbox_items.c.priority)).all())
    assert prio["complaint"] == max(prio.values())  # loud, negative, big reach
    assert prio["mention"] == min(prio.values())


def test_an_answer_before_the_mention_does_not_count(store: Store) -> None:
    # the business posted in the conversation *before* the question: still unanswered
    ws_id = fill(
        store,
        (Spec("q5", "larkspur open?", minutes=60, conversation="c9"),),
        [answer("a0", "c9", 10, conversation="c9")],
    )
    with store.begin() as conn:
        inbox.triage(conn, ws_id)
    assert reasons(store, ws_id) == {"q5": "question"}


def test_a_later_answer_marks_the_open_item_replied_by_hubbub(store: Store) -> None:
    ws_id = fill(store, (SPECS[0],))
    with store.begin() as conn:
        inbox.triage(conn, ws_id, now=T0)
    ws_id = fill(store, (), [answer("a1", "q1", 95)])
    with store.begin() as conn:
        report = inbox.triage(conn, ws_id, since=T0 + timedelta(minutes=90), now=T0)
    assert report.auto_replied == 1
    with store.connect() as conn:
        row = conn.execute(select(inbox_items)).one()
        log = conn.execute(select(audit_log).where(audit_log.c.action == "inbox.state")).one()
    assert row.state == "replied"
    assert row.first_response.replace(tzinfo=UTC) == T0 + timedelta(minutes=95)
    assert log.user_id is None and log.detail["to"] == "replied"


def test_listen_ingest_triages_each_batch(store: Store) -> None:
    from hubbub.listen import ingest

    class Once:
        name = "once"

        def batches(self, cursor: str | None = None):  # type: ignore[no-untyped-def]
            found = [make(s) for s in SPECS]
            yield Batch("once", [m.post for m in found], "1")

    def processor(posts, ws):  # type: ignore[no-untyped-def]
        by_id = {s.id: s for s in SPECS}
        return [make(by_id[p.id]) for p in posts]

    ingest(store, WS, Once(), processor=processor)
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(inbox_items)).scalar_one() == 5
        # q2 is unanswered here, so it is in too
    assert set(reasons(store, 1 if store.dialect == "sqlite" else _ws(store))) == {*EXPECTED, "q2"}


def _ws(st: Store) -> int:
    from hubbub.store import workspace_id

    with st.connect() as conn:
        found = workspace_id(conn, WS.slug)
    assert found is not None
    return found


# --- states, assignment, times ------------------------------------------------------------------


@dataclass
class Team:
    ws_id: int
    maya: int
    sam: int
    outsider: int
    items: dict[str, int]


@pytest.fixture
def team(store: Store) -> Team:
    ws_id = fill(store, SPECS)
    with store.begin() as conn:
        inbox.triage(conn, ws_id, now=T0)
        maya = create_user(conn, "maya", "pw", name="Maya")
        sam = create_user(conn, "sam", "pw", name="Sam")
        outsider = create_user(conn, "eve", "pw")
        add_membership(conn, maya, ws_id, "owner")
        add_membership(conn, sam, ws_id, "staff")
        other = upsert_workspace(conn, replace(WS, slug="other", streams=()))
        add_membership(conn, outsider, other, "owner")
    ids = {native: item for native, item in _item_ids(store, ws_id).items()}
    return Team(ws_id, maya, sam, outsider, ids)


def _item_ids(st: Store, ws_id: int) -> dict[str, int]:
    from hubbub.store.tables import mentions, posts

    with st.connect() as conn:
        rows = conn.execute(
            select(posts.c.native_id, inbox_items.c.id)
            .join(mentions, mentions.c.id == inbox_items.c.mention_id)
            .join(posts, posts.c.id == mentions.c.post_id)
            .where(inbox_items.c.workspace_id == ws_id)
        ).all()
    return {r.native_id: r.id for r in rows}


def _state(st: Store, item: int) -> tuple[str, int | None]:
    with st.connect() as conn:
        row = conn.execute(select(inbox_items).where(inbox_items.c.id == item)).one()
    return row.state, row.assignee_id


def test_assign_and_unassign_move_between_new_and_assigned(store: Store, team: Team) -> None:
    item = team.items["q1"]
    with store.begin() as conn:
        assert inbox.assign(conn, team.ws_id, item, team.sam, team.maya) == "assigned"
    assert _state(store, item) == ("assigned", team.sam)
    with store.begin() as conn:
        assert inbox.assign(conn, team.ws_id, item, None, team.maya) == "new"
    assert _state(store, item) == ("new", None)
    with pytest.raises(InboxError, match="not a member"), store.begin() as conn:
        inbox.assign(conn, team.ws_id, item, team.outsider, team.maya)
    with pytest.raises(InboxError, match="not in this workspace"), store.begin() as conn:
        inbox.assign(conn, team.ws_id + 1, item, team.sam, team.maya)


@pytest.mark.parametrize(
    ("path", "bad"),
    [(["done"], "ignored"), (["ignored"], "done"), (["replied"], "ignored"), ([], "assigned")],
)
def test_invalid_transitions_are_refused(
    store: Store, team: Team, path: list[str], bad: str
) -> None:
    item = team.items["c1"]
    with store.begin() as conn:
        for step in path:
            inbox.set_state(conn, team.ws_id, item, step, team.maya, now=T0)
    with pytest.raises(InboxError), store.begin() as conn:
        inbox.set_state(conn, team.ws_id, item, bad, team.maya, now=T0)
    assert _state(store, item)[0] == (path[-1] if path else "new")


def test_reply_then_done_records_times_and_who(store: Store, team: Team) -> None:
    item = team.items["c1"]
    with store.begin() as conn:
        inbox.assign(conn, team.ws_id, item, team.sam, team.maya, now=T0 + timedelta(hours=1))
        inbox.mark_replied(
            conn,
            team.ws_id,
            item,
            " So sorry! DM us ",
            team.sam,
            network="x",
            now=T0 + timedelta(hours=2),
        )
        inbox.set_state(conn, team.ws_id, item, "done", team.maya, now=T0 + timedelta(hours=5))
    with store.connect() as conn:
        row = conn.execute(select(inbox_items).where(inbox_items.c.id == item)).one()
        history = q.audit_entries(conn, team.ws_id, subject=f"inbox_item:{item}")
        times = {t.user_id: t for t in inbox.member_times(conn, team.ws_id, 4.0)}
    assert (row.state, row.reply_text, row.first_responder_id) == (
        "done",
        "So sorry! DM us",
        team.sam,
    )
    assert row.resolver_id == team.maya
    assert [(e.action, e.user) for e in reversed(history)] == [
        ("inbox.assign", "Maya"),
        ("inbox.state", "Sam"),
        ("inbox.state", "Maya"),
    ]
    assert times[None].responded == 1 and times[None].median_first_response_hours == 2.0
    assert times[None].within_target == 1.0
    assert times[team.sam].responded == 1 and times[team.sam].resolved == 0
    assert times[team.maya].resolved == 1 and times[team.maya].median_resolution_hours == 5.0
    # reopening clears the resolution but keeps the first response
    with store.begin() as conn:
        inbox.set_state(conn, team.ws_id, item, "new", team.maya, now=T0 + timedelta(hours=6))
    with store.connect() as conn:
        row = conn.execute(select(inbox_items).where(inbox_items.c.id == item)).one()
    assert row.resolved is None and row.first_response is not None


def test_reply_too_long_for_x_is_refused(store: Store, team: Team) -> None:
    with (
        pytest.raises(InboxError, match="281 characters, over x's limit of 280"),
        store.begin() as conn,
    ):
        inbox.mark_replied(conn, team.ws_id, team.items["q1"], "a" * 281, team.sam, network="x")
    assert _state(store, team.items["q1"])[0] == "new"


def test_bulk_changes_what_it_can_and_lists_the_rest(store: Store, team: Team) -> None:
    ids = [team.items["q1"], team.items["c1"], team.items["praise"]]
    with store.begin() as conn:
        inbox.set_state(conn, team.ws_id, ids[2], "done", team.maya)
        result = inbox.bulk(conn, team.ws_id, ids, "ignore", team.maya)
    assert result.changed == 2 and len(result.skipped) == 1
    assert "cannot go from done to ignored" in result.skipped[0]
    with store.begin() as conn:
        moved = inbox.bulk(conn, team.ws_id, ids[:2], "assign", team.maya, assignee_id=team.sam)
    assert moved.changed == 2
    assert _state(store, ids[0]) == ("ignored", team.sam)  # ignored keeps its state
    with pytest.raises(InboxError, match="must be assign, done or ignore"), store.begin() as conn:
        inbox.bulk(conn, team.ws_id, ids, "delete", team.maya)


def test_notes_and_canned_replies(store: Store, team: Team) -> None:
    with store.begin() as conn:
        inbox.add_note(conn, team.ws_id, team.items["q1"], "called them back", team.sam)
        cid = inbox.add_canned_reply(conn, team.ws_id, "Hours", "Open 7-3 daily", team.maya)
        with pytest.raises(InboxError, match="exists"):
            inbox.add_canned_reply(conn, team.ws_id, "Hours", "again", team.maya)
        with pytest.raises(InboxError, match="empty"):
            inbox.add_note(conn, team.ws_id, team.items["q1"], "  ", team.sam)
    with store.connect() as conn:
        assert [(n.author, n.text) for n in q.notes(conn, team.items["q1"])] == [
            ("Sam", "called them back")
        ]
        assert [c.title for c in q.canned_reply_list(conn, team.ws_id)] == ["Hours"]
    with store.begin() as conn:
        inbox.delete_canned_reply(conn, team.ws_id, cid, team.maya)
        with pytest.raises(InboxError):
            inbox.delete_canned_reply(conn, team.ws_id, cid, team.maya)


def test_demo_users_make_a_team_of_two(store: Store) -> None:
    from hubbub.cli.commands import _demo_user

    ws_id = fill(store, ())
    assert "sam / demo" in _demo_user(store, WS.slug)
    _demo_user(store, WS.slug)  # again: nothing new, nothing fails
    with store.connect() as conn:
        team = {(m.username, m.role) for m in q.members(conn, ws_id)}
    assert team == {("demo", "owner"), ("sam", "staff")}


def test_triage_examines_only_its_window_so_newest_first_paging_stays_linear(
    store: Store,
) -> None:
    """A source paging newest first hands over ever older batches: each is triaged alone."""
    specs = tuple(
        Spec(f"q{i}", f"@larkspurbakes question {i}?", minutes=-60 * i, author=person(i))
        for i in range(12)
    )
    ws_id = fill(store, specs)
    hour = timedelta(hours=1)
    with store.begin() as conn:
        newest = inbox.triage(conn, ws_id, since=T0 - 3 * hour, until=T0, now=T0)
        older = inbox.triage(conn, ws_id, since=T0 - 7 * hour, until=T0 - 4 * hour, now=T0)
        everything = inbox.triage(conn, ws_id, now=T0)
    assert newest.examined == 4 and newest.created == 4  # q0..q3
    assert older.examined == 4 and older.created == 4  # q4..q7, nothing newer rescanned
    assert everything.examined == 12 and everything.created == 4  # the rest, once each
