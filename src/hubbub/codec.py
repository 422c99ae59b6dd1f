"""Model dataclasses to and from plain JSON-able dicts.

hubbub's own JSON Lines (``hubbub import``, ``hubbub mentions --json``) and the
store's JSON columns both use this one codec, so the format has a single source of
truth: the field names of :mod:`hubbub.model`. Written by hand rather than with a
serialisation library because the model is plain dataclasses and the rules are
few: datetimes as ISO 8601 with offset, tuples as lists, ``None`` kept.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

from hubbub import model

__all__ = ["CodecError", "from_dict", "parse_datetime", "to_dict"]

T = TypeVar("T")


class CodecError(ValueError):
    """A dict does not fit the dataclass it should become; the message names the field."""


def to_dict(obj: Any) -> Any:
    """Turn a model dataclass (or a container of them) into JSON-able data.

    On the store's hot path (the insight of every mention), so scalars return at
    once and each class's field names are looked up once.
    """
    kind = type(obj)
    if kind in _SCALARS:
        return obj
    names = _field_names(kind)
    if names is not None:
        return {n: to_dict(getattr(obj, n)) for n in names}
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    return obj


_SCALARS = frozenset({str, int, float, bool, type(None)})


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    if cls not in _FIELDS:
        is_dc = dataclasses.is_dataclass(cls)
        _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls)) if is_dc else None
    return _FIELDS[cls]


def parse_datetime(value: str) -> datetime:
    """Parse ISO 8601 (``Z`` allowed); naive times are taken as UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls, vars(model))


def from_dict(cls: type[T], data: Any, path: str = "") -> T:
    """Build dataclass ``cls`` from ``data``; unknown keys are ignored.

    Raises :class:`CodecError` naming the dotted path of the field at fault.
    """
    value = _convert(cls, data, path or cls.__name__)
    return typing.cast(T, value)


def _convert(tp: Any, data: Any, path: str) -> Any:
    origin = get_origin(tp)
    if tp is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        args = get_args(tp)
        if data is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(arg, data, path)
            except CodecError as exc:
                errors.append(str(exc))
        raise CodecError(errors[0] if errors else f"{path}: unexpected null")
    if origin is typing.Literal:
        if data not in get_args(tp):
            allowed = ", ".join(map(str, get_args(tp)))
            raise CodecError(f"{path}: {data!r} is not one of {allowed}")
        return data
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(data, dict):
            raise CodecError(f"{path}: expected an object, got {type(data).__name__}")
        hints = _hints(tp)
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(tp):
            if f.name in data:
                kwargs[f.name] = _convert(hints[f.name], data[f.name], f"{path}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise CodecError(f"{path}.{f.name}: missing")
        return tp(**kwargs)
    if origin in (tuple, list):
        if not isinstance(data, (list, tuple)):
            raise CodecError(f"{path}: expected a list, got {type(data).__name__}")
        args = get_args(tp)
        if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(data))
        if origin is tuple:
            if len(args) != len(data):
                raise CodecError(f"{path}: expected {len(args)} items, got {len(data)}")
            return tuple(
                _convert(a, v, f"{path}[{i}]")
                for i, (a, v) in enumerate(zip(args, data, strict=True))
            )
        return [_convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(data)]
    if origin is dict:
        if not isinstance(data, dict):
            raise CodecError(f"{path}: expected an object, got {type(data).__name__}")
        _, vt = get_args(tp)
        return {str(k): _convert(vt, v, f"{path}.{k}") for k, v in data.items()}
    if tp is datetime:
        if isinstance(data, datetime):
            return data if data.tzinfo else data.replace(tzinfo=UTC)
        if not isinstance(data, str):
            raise CodecError(f"{path}: expected an ISO 8601 time, got {type(data).__name__}")
        try:
            return parse_datetime(data)
        except ValueError:
            raise CodecError(f"{path}: {data!r} is not an ISO 8601 time") from None
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise CodecError(f"{path}: expected a number, got {type(data).__name__}")
        return float(data)
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            if isinstance(data, str) and data.strip().lstrip("-").isdigit():
                return int(data)
            raise CodecError(f"{path}: expected a whole number, got {type(data).__name__}")
        return data
    if tp is str:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return str(data)  # ids are often numbers in the wild
        if not isinstance(data, str):
            raise CodecError(f"{path}: expected text, got {type(data).__name__}")
        return data
    if tp is bool:
        if not isinstance(data, bool):
            raise CodecError(f"{path}: expected true or false, got {type(data).__name__}")
        return data
    return data
