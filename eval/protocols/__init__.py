"""Evaluation protocols, one file each, registered in `PROTOCOLS`.

A protocol turns a model + dataset split into metrics. It gets an `EvalContext` from the runner
(the resolved model, dataset, options, and `ctx.features(subset, params)`, which extracts or
loads cached frozen features once per run so retrieval and the linear probe share them) and
returns a `ProtocolResult`; the runner turns that into a result record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ssvzoo.registry import Registry

PROTOCOLS: Registry[type["Protocol"]] = Registry("protocol")


@dataclass
class ProtocolResult:
    """What one protocol run on one split produced."""

    params: dict[str, Any]  # everything that defines the protocol (hashed into the fingerprint)
    metrics: dict[str, float]  # percentages: top1, top5, R@k, mAP
    num_train: int
    num_test: int
    skipped_videos: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)  # facts that are not parameters


class Protocol:
    """Base class: subclasses set `name` and implement `run`."""

    name: ClassVar[str] = "protocol"

    def run(self, ctx) -> ProtocolResult:
        """Evaluate `ctx.model` on `ctx.dataset` split `ctx.split`."""
        raise NotImplementedError


def level_name(clip_level: bool) -> str:
    return "clip" if clip_level else "video"


from ssvzoo.eval.protocols import finetune, linear, retrieval  # noqa: E402,F401  (register)

__all__ = ["PROTOCOLS", "Protocol", "ProtocolResult", "level_name"]
