"""X API v2: recent search and the filtered stream as resumable sources, metered for cost.

- :mod:`~hubbub.sources.x.client`: the one retrying, rate-limited ``request``
- :mod:`~hubbub.sources.x.search`: :class:`XSearchSource` (``/2/tweets/search/recent``)
- :mod:`~hubbub.sources.x.stream`: :class:`XStreamSource` and rule sync
  (``/2/tweets/search/stream`` and ``/rules``)
- :mod:`~hubbub.sources.x.rules`: streams as X queries within X's length limits
- :mod:`~hubbub.sources.x.usage`: reads and writes per month, the cost and the cap
- :mod:`~hubbub.sources.x.timelines`: the business's own posts, mentions and followers
- :mod:`~hubbub.sources.x.publish`: :class:`XPublisher` (``POST /2/tweets``, user context)
- :mod:`~hubbub.sources.x.oauth`: OAuth 2.0 PKCE and token refresh for ``hubbub auth x``

Posts are mapped by :func:`hubbub.sources.files.x_page_posts`, the same code that
reads twarc2 files, so a post looks the same however it arrived.
"""

from hubbub.sources.x.client import XClient, client_from_settings
from hubbub.sources.x.search import XSearchSource
from hubbub.sources.x.stream import XStreamSource, sync_rules
from hubbub.sources.x.usage import Budget, CapReached, MemoryMeter, UsageMeter

__all__ = [
    "Budget",
    "CapReached",
    "MemoryMeter",
    "UsageMeter",
    "XClient",
    "XSearchSource",
    "XStreamSource",
    "client_from_settings",
    "sync_rules",
]
