"""Each goal and figure in plain words, how to show its value, and what to do about it.

The Goals page and ``hubbub goals`` print the same labels, meanings and hints, so they
live here once, beside the figures they describe (each goal module's docstring is the
precise definition; this is the short one a shop owner reads). Hints are simple rules
over a goal's figures, the previous window's and the response target: the first
that applies to each goal is given, so a page never lectures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hubbub.model import Goal

__all__ = [
    "GOAL_INFO",
    "FigureInfo",
    "GoalInfo",
    "figure_info",
    "format_change",
    "format_value",
    "hint",
]

Kind = Literal["count", "share", "hours", "amount", "score", "ratio", "change"]


@dataclass(frozen=True, slots=True)
class FigureInfo:
    label: str
    meaning: str
    kind: Kind = "count"


@dataclass(frozen=True, slots=True)
class GoalInfo:
    title: str  # the goal as a small business says it
    what: str  # what the panel measures, one sentence
    figures: dict[str, FigureInfo]


GOAL_INFO: dict[str, GoalInfo] = {
    "traffic": GoalInfo(
        "Drive website traffic",
        "People who followed your tracked links to your website.",
        {
            "clicks": FigureInfo("Clicks", "Clicks on your tracked links (robots left out)."),
            "posts_published": FigureInfo("Posts published", "Posts hubbub published for you."),
            "clicks_per_post": FigureInfo(
                "Clicks per post", "Clicks for each post published.", "ratio"
            ),
        },
    ),
    "promotions": GoalInfo(
        "Offer promotions",
        "Your promo codes: posted by you, mentioned by people, redeemed at the till.",
        {
            "codes": FigureInfo("Codes", "Promo codes you declared."),
            "codes_active": FigureInfo("Running", "Codes running during this period."),
            "posted": FigureInfo("Your posts with a code", "Your own posts naming a code."),
            "mentioned": FigureInfo(
                "Mentions of a code", "People's posts naming one of your codes."
            ),
            "mentioned_people": FigureInfo("People mentioning", "Different people who did."),
            "redeemed": FigureInfo("Redeemed", "Codes used, from the redemptions you imported."),
            "redeemed_amount": FigureInfo(
                "Order value", "The orders' total where the export gave it.", "amount"
            ),
            "redeemed_per_mention": FigureInfo(
                "Redeemed per mention", "Redemptions for each mention of a code.", "ratio"
            ),
        },
    ),
    "leads": GoalInfo(
        "Generate leads",
        "People ready to buy or asking for a recommendation, followed to won or lost.",
        {
            "new_leads": FigureInfo(
                "New leads",
                "Purchase-intent posts and recommendation requests about you or your trade.",
            ),
            "purchase_intent": FigureInfo("Ready to buy", "Leads saying they want to buy."),
            "recommendation_requests": FigureInfo("Asking for a tip", "Leads asking where to go."),
            "open": FigureInfo("Open", "Leads nobody has answered or marked yet."),
            "contacted": FigureInfo("Contacted", "Answered, not yet won or lost."),
            "won": FigureInfo("Won", "Leads that became customers."),
            "lost": FigureInfo("Lost", "Leads that went elsewhere."),
            "reached": FigureInfo("Reached", "Leads you answered or contacted."),
            "conversion_rate": FigureInfo("Conversion", "Won leads of all new leads.", "share"),
            "median_hours_to_contact": FigureInfo(
                "Time to contact", "Typical wait from their post to your first contact.", "hours"
            ),
        },
    ),
    "visits": GoalInfo(
        "Bring visitors on site",
        "People who checked in at your place or said they came by.",
        {
            "checkins": FigureInfo(
                "Check-ins", "Swarm-style check-ins and posts tagged with your place."
            ),
            "visit_mentions": FigureInfo(
                "Said they came", "Locals' posts about you saying they stopped by, visited ..."
            ),
            "visits": FigureInfo("Visits", "Check-ins and visit mentions together."),
            "visitors": FigureInfo("Visitors", "Different people among them."),
            "visits_per_week": FigureInfo("Visits per week", "Visits for each week.", "ratio"),
        },
    ),
    "events": GoalInfo(
        "Host events",
        "What your event streams drew within each event's dates, against the days before.",
        {
            "events": FigureInfo("Events", "Event streams with dates in this period."),
            "event_mentions": FigureInfo("Mentions", "Posts about the events during them."),
            "mentions_before": FigureInfo(
                "Before", "Posts about them in the same number of days before."
            ),
            "mentions_change": FigureInfo("Change", "During against before.", "change"),
            "event_authors": FigureInfo("People", "Different people posting about them."),
            "event_reach": FigureInfo("Reach", "Followers of those people."),
            "event_positive_share": FigureInfo(
                "Positive", "Share of the event posts that were positive.", "share"
            ),
            "event_sentiment": FigureInfo(
                "Mood", "Average sentiment, from -1 (angry) to +1 (delighted).", "score"
            ),
        },
    ),
    "customer_service": GoalInfo(
        "Provide customer service",
        "How fast and how fully you answered, and whether complaints ended better.",
        {
            "items": FigureInfo("Needed an answer", "Inbox items: questions, complaints, leads."),
            "answered": FigureInfo("Answered", "Of those, answered."),
            "answer_rate": FigureInfo("Answered share", "Share answered.", "share"),
            "median_first_response_hours": FigureInfo(
                "First answer", "Typical wait for your first answer.", "hours"
            ),
            "within_target": FigureInfo(
                "Within target", "Answers given within your response target.", "share"
            ),
            "resolved": FigureInfo("Resolved", "Items marked done."),
            "median_resolution_hours": FigureInfo(
                "Time to resolve", "Typical time from the post to done.", "hours"
            ),
            "complaints": FigureInfo("Complaints", "Inbox items about a complaint."),
            "complaints_answered": FigureInfo("Complaints answered", "Of those, answered."),
            "complaints_followed_up": FigureInfo(
                "Spoke again", "Answered complainers who posted about you within 14 days."
            ),
            "sentiment_before": FigureInfo(
                "Mood before", "Their complaints' sentiment (-1 to +1).", "score"
            ),
            "sentiment_after": FigureInfo(
                "Mood after", "Their later posts' sentiment (-1 to +1).", "score"
            ),
            "complaints_improved": FigureInfo(
                "Ended better", "Complainers whose later posts were warmer.", "share"
            ),
        },
    ),
    "loyalty": GoalInfo(
        "Build loyalty",
        "People who come back to you, warmly, again and again.",
        {
            "engagers": FigureInfo("People", "Different people posting about you."),
            "repeat_people": FigureInfo("Came back", "People who posted about you twice or more."),
            "repeat_positive_engagers": FigureInfo(
                "Warm regulars", "People with two positive posts or more."
            ),
            "repeat_share": FigureInfo(
                "From regulars", "Share of the posts about you by people who came back.", "share"
            ),
            "fans": FigureInfo("Fans", "People with 3+ positive posts in 90 days."),
            "customers": FigureInfo("Customers", "People who meant to buy, then praised you."),
            "returning_customers": FigureInfo(
                "Returning customers", "Customers who were customers before this period too."
            ),
        },
    ),
}


def figure_info(goal: str, figure: str) -> FigureInfo:
    """The figure's label, meaning and kind; per-network clicks are made up on the spot."""
    known = GOAL_INFO[goal].figures.get(figure)
    if known is not None:
        return known
    if figure.startswith("clicks_"):
        network = figure.removeprefix("clicks_")
        if network == "direct":
            return FigureInfo("Clicks, no referrer", "Clicks from apps, e-mail or typed in.")
        name = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky"}.get(network, network)
        return FigureInfo(f"Clicks from {name}", f"Clicks that came from {name}.")
    return FigureInfo(figure.replace("_", " ").capitalize(), "")


def format_value(kind: Kind, value: float | None) -> str:
    """A figure's value for people: ``1,204``, ``42%``, ``45 min``, ``3.5 h``, ``+0.31``."""
    if value is None:
        return "–"
    if kind == "count":
        return f"{round(value):,}"
    if kind == "share":
        return f"{value * 100:.0f}%"
    if kind == "hours":
        if value < 1:
            return f"{value * 60:.0f} min"
        return f"{value:.1f} h" if value < 48 else f"{value / 24:.1f} d"
    if kind == "amount":
        return f"{value:,.2f}"
    if kind == "score":
        return f"{value:+.2f}"
    if kind == "change":
        return f"{value * 100:+.0f}%"
    return f"{value:,.1f}"


def format_change(change: float | None) -> str:
    """A relative change against the previous window: ``+25%``, ``-3%``, ``new`` is None."""
    if change is None:
        return ""
    return f"{change * 100:+.0f}%"


def _f(goal: Goal, name: str) -> float:
    return goal.figures.get(name, 0.0)


def hint(goal: Goal, previous: Goal | None = None, target_hours: float = 4.0) -> str:
    """What to do about this goal, in one or two plain sentences."""
    g, name = goal, goal.name
    if name == "traffic":
        if _f(g, "posts_published") == 0 and _f(g, "clicks") == 0:
            return (
                "Publish posts with a link from the Publish page: hubbub makes them tracked "
                "links, so the clicks show here."
            )
        if _f(g, "clicks_per_post") < 2:
            return (
                "Few clicks per post: put the link early and say what people get there "
                "(a menu, an order form, an offer)."
            )
        return "The Publish page lists your most clicked links: post more like them."
    if name == "promotions":
        if _f(g, "codes") == 0:
            return (
                "Declare the promo codes you run below, then import the till's redemptions "
                "with hubbub goals redemptions FILE.csv."
            )
        if _f(g, "codes_active") and _f(g, "posted") == 0:
            return "None of your posts named a running code: post it, with what it is worth."
        if _f(g, "mentioned") and _f(g, "redeemed") == 0:
            return (
                "People talk about your codes: import the redemptions "
                "(hubbub goals redemptions FILE.csv) to see whether they use them."
            )
        if _f(g, "redeemed") and _f(g, "redeemed") < _f(g, "mentioned"):
            return "More people mention your codes than use them: say where and until when."
        return "Thank the people who share your codes: they are your best advertising."
    if name == "leads":
        if _f(g, "new_leads") == 0:
            return (
                "No one asked for a tip or said they would buy: ask a question in a post "
                '("What should we bake for the weekend?").'
            )
        if _f(g, "open"):
            n = round(_f(g, "open"))
            return (
                f"{n} lead{'s' if n != 1 else ''} still open: answer in the Inbox; most people "
                "go with whoever answers first."
            )
        wait = g.figures.get("median_hours_to_contact")
        if wait is not None and wait > target_hours:
            took = format_value("hours", wait)
            return f"You reach leads after {took}: aim for under {target_hours:g} h."
        if _f(g, "contacted"):
            return "Mark contacted leads won or lost below, so the conversion rate tells the truth."
        return "Every lead was followed up: keep answering this fast."
    if name == "visits":
        if _f(g, "visits") == 0:
            return (
                "Nobody said they came by: a sign at the counter inviting check-ins, or a "
                "photo spot, makes visits visible."
            )
        if _f(g, "checkins") < _f(g, "visit_mentions") / 2:
            return "Visitors post about you but rarely check in: invite check-ins at the counter."
        return "Thank people who check in; a reply there is seen by their friends nearby."
    if name == "events":
        if _f(g, "events") == 0:
            return (
                'Give each event a stream of kind "event" with its start and end (Streams '
                "page or hubbub.toml), and its talk is measured here."
            )
        change = g.figures.get("mentions_change")
        if change is not None and change < 0:
            return (
                "Your events drew less talk than the days before them: post during the event "
                "(photos, a hashtag) and ask visitors to tag you."
            )
        return "Re-share visitors' event posts while it is on: it keeps the talk going."
    if name == "customer_service":
        if _f(g, "items") == 0:
            return "Nothing needed an answer in this period."
        if _f(g, "answer_rate") < 0.9:
            left = round(_f(g, "items") - _f(g, "answered"))
            items = f"{left} item{'s' if left != 1 else ''}"
            return f"{items} went unanswered: the Inbox lists them, oldest first."
        within = g.figures.get("within_target")
        if within is not None and within < 0.8:
            part = format_value("share", within)
            return f"Only {part} of answers came within your {target_hours:g} h target."
        improved = g.figures.get("complaints_improved")
        if improved is not None and improved < 0.5:
            return "Most complainers stayed unhappy: offer to put it right, not only an apology."
        return "Fast and thorough: keep it up."
    if name == "loyalty":
        if _f(g, "engagers") == 0:
            return "Nobody posted about you in this period."
        if _f(g, "repeat_share") < 0.3:
            return (
                "Few people come back: reply to regulars by name and give them a reason to return."
            )
        return "Thank your top fans by name: a reply from you is why regulars keep posting."
    return ""
