"""Base of the MoCo-style methods: two clips per video and a momentum key side (`KeyMemory`)."""

from __future__ import annotations

from typing import Callable

from torch import nn

from ssvzoo.train.methods.base import Method


class MomentumMethod(Method):
    """Subclasses build `self.memory = KeyMemory(self.online_modules(), ...)` in `__init__`.

    Training samples are two independently placed and augmented clips of one video
    (`clips (2, C, window_frames, H, W)`); `after_step` updates the key encoder and the queue.
    """

    memory: nn.Module

    def online_modules(self) -> dict[str, nn.Module]:
        """The query-side modules the key encoder mirrors (name -> module)."""
        raise NotImplementedError

    def window_frames(self, frames: int) -> int:
        """Frames to decode per clip for `frames`-frame training clips."""
        return frames

    def after_step(self) -> None:
        self.memory.after_step(self.online_modules())

    def sample_builder(self, train: bool) -> Callable:
        from ssvzoo.train.methods.sampling import clip_builder, multi_clip_builder

        frames, size = self.clip_shape(self.cfg.frames, self.cfg.size)
        if not train:
            return clip_builder(self.backbone, frames, size, train=False)
        # Colour augmentation (MoCo v2's jitter 0.4 with p 0.8, grayscale 0.2): without it two
        # clips of one video match by colour alone, and instance contrast learns colour.
        return multi_clip_builder(self.backbone, self.window_frames(frames), size, num_clips=2,
                                  color_jitter=self.cfg.color_jitter,
                                  grayscale_p=self.cfg.grayscale_p)
