"""Find the line of a key in a TOML text, which ``tomllib`` does not report.

Workspace problems are reported as ``hubbub.toml:LINE: message``; ``tomllib`` gives
values without positions, so :class:`Locator` scans the text for the key's table
header (``[business]``, the n-th ``[[competitors]]``) and then ``key =`` within it,
or inside an inline table on that line. That is exact for the layouts people write
and approximate for exotic ones (dotted keys); a wrong line only weakens the hint,
it never hides the problem.
"""

from __future__ import annotations

import re

__all__ = ["Key", "Locator"]


Key = tuple[str | int, ...]
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _split_dotted(text: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in text.split("."))


class Locator:
    """Finds the line of a key path such as ``("competitors", 1, "handles", "x")``."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        # each section: (key path, first line number (1-based) of its header)
        self.sections: list[tuple[Key, int]] = [((), 1)]
        counts: dict[tuple[str, ...], int] = {}
        for number, line in enumerate(self.lines, start=1):
            match = _HEADER.match(line)
            if not match:
                continue
            names = _split_dotted(match.group(2))
            if match.group(1) == "[[":
                index = counts.get(names, 0)
                counts[names] = index + 1
                self.sections.append(((*names, index), number))
            else:
                self.sections.append((names, number))

    def _body(self, section_index: int) -> range:
        start = self.sections[section_index][1]
        following = [n for _, n in self.sections[section_index + 1 :] if n > start]
        end = min(following) - 1 if following else len(self.lines)
        return range(start + (0 if section_index == 0 else 1), end + 1)

    def line(self, key: Key) -> int:
        """The best line for ``key``: the key's own line, else its table's header."""
        best, best_len = 0, -1
        for i, (path, _) in enumerate(self.sections):
            # A table header [a.b] inside an array of tables [[a]] refers to its last item.
            if len(path) <= len(key) and _prefix_matches(path, key) and len(path) > best_len:
                best, best_len = i, len(path)
        found = self.sections[best][1]
        rest = [k for k in key[best_len:] if isinstance(k, str)]
        if not rest:
            return found
        body = self._body(best)
        first = re.compile(rf"^\s*[\"']?{re.escape(rest[0])}[\"']?\s*=")
        for number in body:
            if first.match(self.lines[number - 1]):
                found = number
                break
        else:
            return found
        for name in rest[1:]:  # inline tables: look on this line and the next few
            inner = re.compile(rf"(?:^|[{{,\s])[\"']?{re.escape(name)}[\"']?\s*=")
            for number in range(found, min(found + 20, body.stop)):
                if inner.search(self.lines[number - 1]):
                    found = number
                    break
        return found


def _prefix_matches(path: Key, key: Key) -> bool:
    return all(a == b for a, b in zip(path, key, strict=False))
