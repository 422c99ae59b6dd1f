"""The workspace file, ``hubbub.toml``: read it, check all of it, derive its searches.

A small business describes itself once (name, handles, website, town, competitors,
products, team) and hubbub turns that into four standing searches. Modules:

- :mod:`~hubbub.workspace.load`: :func:`load_workspace` and every check, each problem
  reported as ``hubbub.toml:LINE: message`` (:class:`WorkspaceFileError`);
- :mod:`~hubbub.workspace.locate`: the key-to-line locator those messages use;
- :mod:`~hubbub.workspace.derive`: :func:`derive_streams`, pure;
- :mod:`~hubbub.workspace.starter`: :func:`starter_toml` for ``hubbub init`` and the
  bundled example's path.
"""

from __future__ import annotations

from hubbub.workspace.derive import DERIVED_KINDS, derive_streams, slugify
from hubbub.workspace.load import WorkspaceFileError, load_workspace, parse_workspace
from hubbub.workspace.starter import example_path, starter_toml

__all__ = [
    "DERIVED_KINDS",
    "WorkspaceFileError",
    "derive_streams",
    "example_path",
    "load_workspace",
    "parse_workspace",
    "slugify",
    "starter_toml",
]
