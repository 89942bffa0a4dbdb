"""ssvzoo: benchmark and model zoo for self-supervised video representation learning."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "create_backbone", "load_model"]


def __getattr__(name: str):
    # Lazy: `import ssvzoo` (and `ssvzoo --help`) must not pay for importing torch.
    if name == "create_backbone":
        from ssvzoo.zoo.backbones import create_backbone

        return create_backbone
    if name == "load_model":
        from ssvzoo.zoo.checkpoint import load_model

        return load_model
    raise AttributeError(f"module 'ssvzoo' has no attribute {name!r}")
