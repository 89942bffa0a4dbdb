"""The `Method` interface: networks + losses of one pre-training method; the engine does the rest.

A method is an `nn.Module` holding `.backbone` (what `model.safetensors` stores) plus its heads,
queues and momentum encoders (all saved in `train_state.pt`). It says what a training sample
must contain (`sample_builder`), computes named losses from a batch (`loss`, key `loss` = the
total to minimise) and updates non-gradient state after each optimiser step (`after_step`).
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

import torch
from torch import nn

from ssvzoo.errors import ConfigError
from ssvzoo.registry import Registry
from ssvzoo.train.config import make_config, to_dict

METHODS: Registry[type["Method"]] = Registry("method")


class Method(nn.Module):
    """Base class; subclasses set `name`, `Config` and implement `loss` and `sample_builder`."""

    name: ClassVar[str] = "method"
    Config: ClassVar[type]
    needs_labels: ClassVar[bool] = False  # supervised needs num_classes
    trains: ClassVar[bool] = True  # False: the engine saves the initial weights and stops
    find_unused_parameters: ClassVar[bool] = False  # for DDP
    # TrainConfig values of the method's paper recipe; the CLI applies them under the user's
    # config file and flags (fit() itself takes the TrainConfig it is given).
    train_defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, cfg: Any, backbone: nn.Module, num_classes: int | None = None):
        super().__init__()
        if self.needs_labels and not num_classes:
            raise ConfigError(f"method {self.name!r} needs the number of classes of the dataset")
        self.cfg = cfg
        self.backbone = backbone
        self.num_classes = num_classes

    # -- what the engine calls -------------------------------------------------------------
    def loss(self, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        """Named losses for one batch; `loss` is the total that is back-propagated."""
        raise NotImplementedError

    def sample_builder(self, train: bool) -> Callable:
        """The builder `(video, rng) -> dict[str, Tensor]` a dataset needs for this method."""
        raise NotImplementedError

    def after_step(self) -> None:
        """Runs after every optimiser step (momentum encoders); default: nothing."""

    def forward(self, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        # DDP wraps the method and calls forward; the math lives in `loss`.
        return self.loss(batch)

    # -- helpers ---------------------------------------------------------------------------
    def config_dict(self) -> dict[str, Any]:
        return to_dict(self.cfg)

    def clip_shape(self, frames: int | None = None, size: int | None = None) -> tuple[int, int]:
        """(frames, size) of the input clips: explicit values or the backbone's input spec."""
        spec = getattr(self.backbone, "input_spec", None)
        frames = frames or (spec.frames if spec is not None else 16)
        size = size or (spec.size if spec is not None else 112)
        return int(frames), int(size)


def create_method(name: str, backbone: nn.Module, num_classes: int | None = None,
                  **overrides: Any) -> Method:
    """`METHODS.get(name)` built with its `Config` defaults overridden by keyword."""
    cls = METHODS.get(name)
    cfg = make_config(cls.Config, overrides, what=f"{name} config")
    return cls(cfg, backbone, num_classes=num_classes)
