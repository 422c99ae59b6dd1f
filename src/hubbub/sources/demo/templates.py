"""The demo's post templates: what each kind of actor says, with slots.

Templates are plain ``str.format`` strings whose ``{slots}`` the world fills per
post (products, places, handles, links, emoji ... see ``SLOTS``). Each kind
carries the ground truth a later classifier can be sanity-checked against: the
intent it expresses and its sentiment. They are written so that any business's
workspace fits (``{category}`` is the business's first industry word, e.g.
"bakery"); baking-specific lines are added only when :func:`is_bakery` says the
workspace's own words are about baking.
"""

from __future__ import annotations

from dataclasses import dataclass

from hubbub.model import Intent, SentimentLabel, Workspace

__all__ = ["BAKERY_KINDS", "KINDS", "SLOTS", "SPANISH", "Kind", "is_bakery", "labels"]

#: every slot a template may use (the world's filler knows each one)
SLOTS: frozenset[str] = frozenset(
    (
        *("biz", "biz_at", "biz_tag", "biz_url", "short", "product", "product2", "comp"),
        *("comp_at", "town", "place", "town_tag", "time", "day", "occasion", "event"),
        *("weather", "e", "bad", "link", "at", "person", "price", "n", "pct", "mins"),
        *("category", "industry", "tag", "staff"),
    )
)


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of post: its ground-truth intent and sentiment, and its templates."""

    intent: Intent
    sentiment: SentimentLabel
    templates: tuple[str, ...]


KINDS: dict[str, Kind] = {
    # --- the business itself: conversation ---------------------------------------------
    "biz_thanks": Kind(
        "other",
        "positive",
        (
            "Thank you so much! See you soon {e}",
            "This made our whole morning, thank you {e}",
            "So glad you loved the {product}! Come back anytime",
            "Thanks for the kind words! We'll tell the team {e}",
            "You're the best. Next {product} is on us {e}",
            "Aww thank you! {staff} will be thrilled to hear it",
            "Thank you for stopping by {place}! {e}",
            "We love hearing this. Thanks for being a regular {e}",
        ),
    ),
    "biz_answer": Kind(
        "other",
        "neutral",
        (
            "Yes! We open at 7 every day and the {product} is usually out by 8.",
            "We do! Order 48 hours ahead here: {biz_url}",
            "Great question. The {product} is best the same day, but it freezes well.",
            "Not this week, sorry! It's back on {day}.",
            "Yes, there's a gluten-free option. Ask at the counter or see {biz_url}",
            "We're in {place} until 3 today. Come say hi!",
            "DM us and {staff} will sort it out today.",
            "Parking is easiest on the side street after 9. See you soon!",
        ),
    ),
    "biz_apology": Kind(
        "other",
        "neutral",
        (
            "So sorry about this. Could you DM us your order number? We want to make it right.",
            "That is not the experience we want for anyone. {staff} will reach out today.",
            "Thank you for telling us. We've talked with the team and we're fixing it.",
            "Really sorry. Please email us and we'll refund the {product} right away.",
            "Ugh, we messed up. Please come back and let us make it up to you.",
        ),
    ),
    "biz_question": Kind(
        "question",
        "neutral",
        (
            "Settle it for us: {product} or {product2}?",
            "What should we bake for {day}? Reply with your wish list {e}",
            "Which {event} should we set up at next month?",
            "Tell us your favourite {product} memory. Best one gets a free dozen.",
            "Would you come to a {category} class on a {day} evening?",
            "Quick poll: do you want earlier hours on weekends?",
            "Who's coming to the {event} on {day}? {e}",
        ),
    ),
    # --- the business itself: self-promotion --------------------------------------------
    "biz_promo": Kind(
        "spam_promo",
        "positive",
        (
            "Fresh {product} out of the oven right now {e} {biz_url}",
            "NEW: {product} with a twist. Only this weekend! {biz_url}",
            "{day} special: buy two {product}, get a {product2} free. {biz_tag}",
            "Now taking orders for {occasion}. {biz_url}",
            "We're hiring! Join the team: {biz_url}",
            "{pct}% off {product} after 2pm today. {biz_tag} {town_tag}",
            "Find us at the {place} {event} this {day} {e}",
            "Our {product} was named best in {town}! Thank you all {e} {biz_url}",
            "New on the blog: how we make our {product}. {biz_url}",
            "Gift cards are here, perfect for {occasion} {biz_url}",
        ),
    ),
    # --- staff ---------------------------------------------------------------------------
    "staff": Kind(
        "other",
        "positive",
        (
            "4am shift at {biz} and the {product} smells unreal {e}",
            "Proud of this batch of {product} today {biz_tag}",
            "Come see me at {biz} this morning, I'm on the register {e}",
            "Behind the scenes at {biz_at}: 200 {product} before sunrise",
            "Best part of working at {biz}? The regulars {e}",
            "Tried a new {product} recipe at work today. Coming to the case {day}!",
        ),
    ),
    # --- customers -----------------------------------------------------------------------
    "praise": Kind(
        "praise",
        "positive",
        (
            "The {product} at {biz} is sooo good {e}",
            "{biz_at} you've done it again. Best {product} in {town} {e}",
            "Can't stop thinking about the {product} from {biz} {e}{e}",
            "If you're in {place} go to {biz} and get the {product}. Trust me.",
            "{biz} {product} {time} and now my day is perfect {e}",
            "Shoutout to {biz_at} for the amazing {product} for {occasion} {e}",
            "Honestly the best {category} in {town}. {biz_tag} {e}",
            "{biz_at} the staff were so kind {time}. Loved the {product}!",
            "Took my out of town friends to {biz} and they want to move here now {e}",
            "my weekly {biz} {product} run is the highlight of my week {e}",
            "{biz} never misses. {product} + {product2} = heaven {e} {town_tag}",
            "Five stars for {biz}. The {product} was still warm {e}",
            "Ok {biz_at} your {product} is ridiculous. In a good way.",
            "Wow. Just wow. {product} from {biz} {e} {link}",
        ),
    ),
    "question": Kind(
        "question",
        "neutral",
        (
            "{biz_at} do you have {product} today?",
            "Does {biz} do {product} for {occasion}? How far ahead do I order?",
            "{biz_at} what time do you open on {day}?",
            "Is {biz} open on {day}? Need {product} asap",
            "{biz_at} is the {product} vegan?",
            "Anyone know if {biz} takes preorders for {product}?",
            "{biz_at} do you deliver to {place}?",
            "Hey {biz_at}, is there parking near you?",
            "{biz_at} are you doing anything for the {event}?",
        ),
    ),
    "complaint": Kind(
        "complaint",
        "negative",
        (
            "Waited {mins} minutes at {biz} {time} and they were out of {product} {bad}",
            "{biz_at} my {product} order was wrong AGAIN {bad}",
            "Really disappointed with {biz} today. The {product} was stale {bad}",
            "{biz_at} ${price} for a {product}?? come on",
            "{biz} called to cancel my {occasion} order the day before. Unbelievable {bad}",
            "Rude service at {biz} {time}. Won't be back {bad}",
            "{biz_at} the {product} was burnt on the bottom {bad}",
            "Ordered online from {biz} and nobody answered when I called {bad}",
            "the line at {biz} is out the door and only one register open {bad}",
        ),
    ),
    "rec_request": Kind(
        "recommendation_request",
        "neutral",
        (
            "Anyone know a good {category} in {place}?",
            "Moving to {town} next month. Best {category}? {town_tag}",
            "Where's the best {product} in {town}? Go.",
            "Need a {product} for {occasion}. Recs in {place}?",
            "What's your favourite {category} around {place}? Asking for a friend",
            "Visiting {town} this weekend. Where should I get {product}?",
            "{town} friends: {biz} or {comp}? Need a {product} by {day}",
        ),
    ),
    "purchase": Kind(
        "purchase_intent",
        "positive",
        (
            "Ordering a {product} from {biz} for {occasion} {e}",
            "Picking up {product} at {biz} {time}, can't wait",
            "Just preordered {product} from {biz_at} for {day} {e}",
            "Gonna grab a {product} from {biz} before work tomorrow",
            "We're getting our {product} for {occasion} from {biz}. Decided!",
            "Booked {biz} for {occasion}. {product} tasting next week {e}",
        ),
    ),
    "compare": Kind(
        "other",
        "positive",
        (
            "Tried {comp} today. Good, but {biz}'s {product} still wins",
            "{biz} vs {comp} for {product}? I say {biz}, fight me",
            "{comp_at} is nice but {biz} has the best {product}",
        ),
    ),
    # --- competitors and their fans --------------------------------------------------------
    "comp_promo": Kind(
        "spam_promo",
        "positive",
        (
            "Fresh {product} all day today at {comp} {e}",
            "New seasonal {product} just dropped. Come see us in {place}!",
            "{day} deal: {pct}% off {product} at {comp} {link}",
            "We're hiring! Apply at {link}",
            "Catch {comp} at the {event} this {day} {e}",
        ),
    ),
    "comp_fan": Kind(
        "praise",
        "positive",
        (
            "{comp} {product} is elite {e}",
            "Nothing beats {comp_at} on a {day} morning {e}",
            "{comp} is my favourite {category} in {town}, no contest",
            "Shoutout to {comp_at} for the {product} {e}",
            "Had the {product} at {comp} {time}. Wow.",
            "{comp} staff are the sweetest {e} {town_tag}",
        ),
    ),
    "comp_complaint": Kind(
        "complaint",
        "negative",
        (
            "ugh {comp} was out of {product} again {bad}",
            "{comp_at} waited {mins} minutes for a {product} {bad}",
            "{comp} raised prices AGAIN. ${price} for a {product}?",
        ),
    ),
    # --- the town ------------------------------------------------------------------------
    "local": Kind(
        "other",
        "neutral",
        (
            "{weather} in {town} {e}",
            "Traffic downtown in {town} is a mess {time} {bad}",
            "Who's going to the {event} in {place} on {day}?",
            "{place} {event} this {day}! {town_tag}",
            "Love this town. {place} at sunset {e}",
            "{weather}. Typical {town}. {town_tag}",
            "New mural going up in {place} {e} {link}",
            "Road work on the main drag in {town} again? {bad}",
            "The {event} was packed {time} {e} {town_tag}",
            "Anyone else hear the sirens in {place}?",
            "Best thing about {town}: the mountains. Worst: parking.",
            "City council meeting tonight about the {place} rezoning {link}",
        ),
    ),
    # --- the trade -----------------------------------------------------------------------
    "industry": Kind(
        "other",
        "neutral",
        (
            "Thinking about the future of {industry} a lot lately {tag}",
            "Are {industry} prices getting wild or is it just me?",
            "Great thread on running a small {category} {link}",
            "Every {category} owner I know is working 70 hour weeks {bad}",
            "Hot take: {product} is overrated. {product2} is where it's at {tag}",
            "New {category} opened near me and I'm cautiously optimistic {e}",
            "Podcast rec: how independent {industry} survives the big chains {link}",
            "Supply costs up {pct}% this year for {industry}. Brutal. {tag}",
        ),
    ),
    # --- spam bots -----------------------------------------------------------------------
    "spam": Kind(
        "spam_promo",
        "positive",
        (
            "🚀🚀 $BTC to the moon! Join the signal group now {link} #crypto #bitcoin",
            "#F4F follow back everyone 💯 #followback #teamfollowback",
            "{biz_at} nice page! DM us for promo 📈 we grow your followers fast",
            "Earn $500/day from home!!! {link}",
            "FREE iPhone giveaway 🎁 RT + follow to enter {link}",
            "{biz_at} Want 10k real followers? DM for promo 🔥",
            "$ETH $SOL airdrop live now, claim before it ends {link}",
            "Follow for follow? 🙏 I follow back 100% #F4F",
        ),
    ),
    # --- people chatting in threads ------------------------------------------------------
    "chat_reply": Kind(
        "other",
        "neutral",
        (
            "omg yes",
            "So true {e}",
            "Where is that?",
            "Same!!",
            "This is the way",
            "Adding it to my list {e}",
            "wait really?",
            "haha",
            "ok now I'm hungry",
            "100%",
            "Agreed {e}",
            "I need to try this",
            "lol same",
        ),
    ),
    "rec_answer": Kind(
        "other",
        "positive",
        (
            "{biz}! Get the {product}.",
            "Go to {biz_at}, thank me later {e}",
            "{comp} is solid too",
            "{biz} in {place}, hands down",
            "Honestly {biz} or {comp}, can't go wrong",
        ),
    ),
    "quote": Kind(
        "other",
        "neutral",
        (
            "This {e}",
            "Can confirm",
            "Wow, had no idea",
            "Saving this for later",
            "Big if true",
            "Everyone in {town} needs to see this",
        ),
    ),
    "viral_complaint": Kind(
        "complaint",
        "negative",
        (
            "Paid ${price} to {biz_at} for a {product} for {occasion}, raw in the middle. "
            "Three emails, no reply. Not ok. {bad}",
        ),
    ),
    "viral_followup": Kind(
        "complaint",
        "negative",
        (
            "Just saw the thread about {biz}. Yikes {bad}",
            "Same thing happened to me at {biz} last month {bad}",
            "Wow {biz_at}, do better",
            "Not going back to {biz} after reading this {bad}",
            "This is why I go to {comp} now",
            "{biz_at} answer her!! {bad}",
        ),
    ),
    # --- rss items -----------------------------------------------------------------------
    "news_local": Kind(
        "other",
        "neutral",
        (
            "{event} returns to {place} this {day}",
            "{town} council votes on downtown parking changes",
            "{weather}: what to expect this week in {town}",
            "Local favourite {biz} celebrates a busy season",
            "{comp} expands hours in {place}",
            "Five new places to eat in {town} this month",
            "Road closures in {place} for the {event}",
        ),
    ),
    "news_industry": Kind(
        "other",
        "neutral",
        (
            "The state of {industry}: {pct}% of owners expect higher costs",
            "How small {industry} compete with the chains",
            "{product}: the trend that won't quit",
            "Ingredient costs up {pct}% this quarter",
            "Staffing the morning shift: lessons from {n} owners",
        ),
    ),
}

#: extra templates when the workspace is a bakery (or close enough); merged into KINDS' kinds
BAKERY_KINDS: dict[str, tuple[str, ...]] = {
    "industry": (
        "Flour prices up again. {pct}% since spring {bad} #baking",
        "My sourdough starter turned {n} today {e} #sourdough",
        "Lamination is a form of meditation #pastry",
        "Day {n} of trying to get an open crumb {bad} #sourdough #breadbaking",
        "Bakers: what hydration do you use for a country loaf?",
        "Sourdough tip: if your starter doubles in 4-6 hours it's ready. Feed it 1:1:1.",
        "Hot take: 75% hydration is the sweet spot for a home oven loaf.",
        "Laminating croissant dough? Keep the butter at 55°F or it will tear.",
        "Cold retard your dough overnight and thank me tomorrow #baking",
        "Bread flour vs all-purpose: it's all about the protein. 12.7% for me.",
        "Don't slice it hot. I know. I know. Wait an hour.",
        "Steam for the first 20 minutes is the whole secret to that crust #artisanbread",
        "Weigh your flour. Cups are lies.",
    ),
    "news_industry": (
        "Flour prices climb {pct}% as wheat harvest disappoints",
        "Sourdough's second boom: why starters are back",
        "Butter shortage squeezes independent bakeries",
        "Wheat futures jump {pct}% as dry weather hits the plains; flour prices to follow",
        "Butter prices up {pct}% year on year, bakeries feel the squeeze",
        "Egg shortage eases but prices stay {pct}% above last year",
        "Small bakeries report {pct}% rise in weekend preorders",
        "Why heritage grains are back on bakery menus",
        "The great croissant shortage: inside the lamination labour crunch",
    ),
}

#: a few posts in Spanish, language "es", per kind
SPANISH: dict[str, tuple[str, ...]] = {
    "praise": (
        "¡El {product} de {biz} está buenísimo! {e}",
        "{biz_at} el mejor {product} de {town} {e}",
        "Me encanta {biz}, siempre todo fresco {e}",
    ),
    "question": (
        "{biz_at} ¿tienen {product} hoy?",
        "¿A qué hora abre {biz} mañana?",
    ),
    "rec_request": ("¿Alguien conoce una buena {category} en {town}?",),
    "local": ("Hace un día precioso en {town} {e}", "¿Quién va al {event} este fin de semana?"),
    "purchase": ("Voy a pedir un {product} en {biz} para el cumpleaños de mi hija {e}",),
}


def is_bakery(workspace: Workspace) -> bool:
    """Whether the workspace's own words are about baking (so the bakery extras fit)."""
    words = " ".join((*workspace.industry_words, *workspace.products)).lower()
    return any(w in words for w in ("bak", "bread", "pastr", "sourdough", "croissant", "cake"))


def labels(kind: str, template: str) -> tuple[Intent, SentimentLabel]:
    """The ground truth of one template: its kind's, refined by what the template says
    (a chatty line ending in a question is a question; an emoji slot sets the mood)."""
    spec = KINDS[kind]
    intent: Intent = spec.intent
    if intent == "other" and template.rstrip(" {}ebad").endswith("?"):
        intent = "question"
    sentiment: SentimentLabel = spec.sentiment
    if "{bad}" in template:
        sentiment = "negative"
    elif "{e}" in template and sentiment == "neutral":
        sentiment = "positive"
    return intent, sentiment
