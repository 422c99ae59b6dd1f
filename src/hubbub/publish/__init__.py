"""publish: the business's own posts: compose, schedule, send once, track the links.

- :mod:`~hubbub.publish.compose`: one text (or thread) checked for each network.
- :mod:`~hubbub.publish.posts`: a checked draft or scheduled post saved to the store.
- :mod:`~hubbub.publish.scheduler`: the durable scheduler (``hubbub worker``).
- :mod:`~hubbub.publish.links`: UTM parameters, short codes, the click on ``/l/CODE``.
- :mod:`~hubbub.publish.plan`: the calendar, the balance guard, the best time to post.

See docs/publish.md for what a user sees and the guarantees the scheduler gives.
"""

__all__: list[str] = []
