"""The one error the query language raises, with the column it points at.

Users type queries into a web form and a TOML file; a bare "syntax error" would
leave them guessing, so every error carries a 1-based column and can draw a
caret under the spot.
"""

from __future__ import annotations

__all__ = ["QueryError"]


class QueryError(ValueError):
    """A query that cannot be parsed or compiled.

    ``str(err)`` reads ``"column 14: unbalanced parenthesis"``; ``err.message`` is the
    bare message and ``err.column`` the 1-based column (``None`` when the error is
    about the query as a whole rather than one spot). ``err.stream`` names the
    stream whose query it was, where one did.
    """

    def __init__(
        self,
        message: str,
        column: int | None = None,
        *,
        query: str = "",
        stream: str | None = None,
    ) -> None:
        self.message = message
        self.column = column
        self.query = query
        self.stream = stream
        super().__init__(self._render())

    def _render(self) -> str:
        where = f"column {self.column}: " if self.column is not None else ""
        prefix = f"stream {self.stream!r}: " if self.stream is not None else ""
        return f"{prefix}{where}{self.message}"

    def __str__(self) -> str:
        return self._render()

    def caret(self) -> str:
        """The query on one line and a ``^`` under the column on the next."""
        if self.column is None:
            return self.query
        pad = " " * (self.column - 1)
        return f"{self.query}\n{pad}^"

    def for_stream(self, name: str) -> QueryError:
        """The same error, naming the stream whose query it is."""
        return QueryError(self.message, self.column, query=self.query, stream=name)
