"""Backbones by name: `create_backbone("r2plus1d_18-tiny")` (timm's create_model pattern).

Each family file registers builder functions `(**kwargs) -> Backbone` in `BACKBONES`.
"""

from __future__ import annotations

from typing import Any

from ssvzoo.registry import Registry
from ssvzoo.zoo.backbones.base import Backbone, InputSpec

BACKBONES: Registry = Registry("backbone")


def create_backbone(name: str, **overrides: Any) -> Backbone:
    """Build the backbone registered as `name`; `overrides` replace its default kwargs.

    Weights are always randomly initialised (seed torch first for a reproducible init).
    Unknown name -> RegistryError listing close matches.
    """
    return BACKBONES.get(name)(**overrides)


def list_backbones() -> list[str]:
    return BACKBONES.names()


# Importing the family files registers their names.
from ssvzoo.zoo.backbones import c3d, resnet3d, s3d  # noqa: E402,F401

__all__ = ["BACKBONES", "Backbone", "InputSpec", "create_backbone", "list_backbones"]
