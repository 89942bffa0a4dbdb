"""Dataclass configs overridden by name from the CLI or a JSON file."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, TypeVar

from ssvzoo.errors import ConfigError

C = TypeVar("C")


def field_names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def make_config(cls: type[C], overrides: dict[str, Any] | None = None, what: str = "config") -> C:
    """`cls(**defaults)` with `overrides` applied; unknown names raise ConfigError.

    JSON lists become tuples where the default is a tuple (milestones, speeds, ...).
    """
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - field_names(cls))
    if unknown:
        raise ConfigError(f"unknown {what} field(s) {', '.join(unknown)}; known: "
                          f"{', '.join(sorted(field_names(cls)))}")
    defaults = cls()  # type: ignore[call-arg]
    for name, value in list(overrides.items()):
        if isinstance(getattr(defaults, name), tuple) and isinstance(value, list):
            overrides[name] = tuple(value)
    return dataclasses.replace(defaults, **overrides)  # type: ignore[type-var]


def to_dict(cfg: Any) -> dict[str, Any]:
    """JSON-able dict of a config dataclass (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(cfg), default=str))


def split_sections(data: dict[str, Any], train_cls: type, method_cls: type
                   ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(train overrides, method overrides) of a config file: either flat field names, or
    sections `{"train": {...}, "method": {...}}` (needed for names both have, e.g. momentum)."""
    if set(data) & {"train", "method"}:
        extra = sorted(set(data) - {"train", "method"})
        if extra:
            raise ConfigError(f"a sectioned config holds only \"train\" and \"method\"; also got "
                              f"{', '.join(extra)}")
        sections = [data.get("train", {}), data.get("method", {})]
        if not all(isinstance(s, dict) for s in sections):
            raise ConfigError("config sections \"train\" and \"method\" must be JSON objects")
        return sections[0], sections[1]
    train, method = split_overrides(data, train_cls, method_cls)
    return train, method


def read_config_file(path: str | Path) -> dict[str, Any]:
    """A JSON object of field overrides; a missing or malformed file is a ConfigError."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        data = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"config file {path} is not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a JSON object of field: value pairs")
    return data


def split_overrides(data: dict[str, Any], *classes: type) -> list[dict[str, Any]]:
    """Route each key of `data` to the dataclass that has a field of that name.

    A name that more than one of them has (`momentum`: SGD's and MoCo's key-encoder EMA) is
    refused as ambiguous; pass such fields in sections instead (see `split_sections`).
    """
    parts: list[dict[str, Any]] = [{} for _ in classes]
    unknown = []
    for key in data:
        owners = [c.__name__ for c in classes if key in field_names(c)]
        if len(owners) > 1:
            raise ConfigError(f"config field {key!r} is ambiguous ({' and '.join(owners)}); "
                              f'put it in a section: {{"train": {{...}}, "method": {{...}}}}')
    for key, value in data.items():
        for part, cls in zip(parts, classes):
            if key in field_names(cls):
                part[key] = value
                break
        else:
            unknown.append(key)
    if unknown:
        known = sorted(set().union(*(field_names(c) for c in classes)))
        raise ConfigError(f"unknown config field(s) {', '.join(sorted(unknown))}; known: "
                          f"{', '.join(known)}")
    return parts
