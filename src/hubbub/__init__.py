"""hubbub: a self-hosted social listening and engagement workbench for small businesses."""

__all__ = ["__version__"]

__version__ = "0.1.0"
