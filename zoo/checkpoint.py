"""A model is a folder: `model.safetensors` (the backbone's state dict) + `config.json`.

`config.json` holds at least `backbone`, `backbone_kwargs`, `input_spec`, `method`,
`ssvzoo_version`, `weights_sha256` (of the safetensors file) and whatever the caller adds
(training hyper-parameters, provenance). Weights are read and written with safetensors only:
no pickle, no torch.load. Loading is strict by default and reports missing / unexpected /
mis-shaped keys, because silently half-loaded weights are a known trap in this field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save
from torch import nn

from ssvzoo import __version__
from ssvzoo.errors import CheckpointError, RegistryError, ZooError
from ssvzoo.utils.io import write_bytes_atomic, write_json_atomic
from ssvzoo.zoo.backbones import Backbone, create_backbone

WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
ACCEPTED_FORMS = ("a model folder (config.json + model.safetensors), a .safetensors file next to "
                  "its config.json, or random:<backbone>[@seed] (e.g. random:r2plus1d_18-tiny@0)")


@dataclass
class LoadReport:
    """What did not fit when loading a state dict into a module."""

    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    mismatched: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.mismatched)

    def summary(self, first: int = 3) -> str:
        """One line: counts and the first few keys of each kind."""
        def few(keys: list[str]) -> str:
            more = f", ... (+{len(keys) - first})" if len(keys) > first else ""
            return ", ".join(keys[:first]) + more

        parts = []
        if self.missing:
            parts.append(f"{len(self.missing)} missing ({few(self.missing)})")
        if self.unexpected:
            parts.append(f"{len(self.unexpected)} unexpected ({few(self.unexpected)})")
        if self.mismatched:
            shown = [f"{k} expected {tuple(e)} got {tuple(g)}" for k, e, g in self.mismatched]
            parts.append(f"{len(self.mismatched)} mis-shaped ({few(shown)})")
        return "; ".join(parts) if parts else "all keys match"

    def print(self) -> None:
        """A short rich report on stderr (nothing when every key matched)."""
        if self.ok:
            return
        from ssvzoo.utils.console import err_console

        err_console.print("[bold yellow]state dict does not fit the model:[/]")
        for key in self.missing[:10]:
            err_console.print(f"  [red]missing[/]    {key}")
        for key in self.unexpected[:10]:
            err_console.print(f"  [red]unexpected[/] {key}")
        for key, expected, got in self.mismatched[:10]:
            err_console.print(f"  [red]mis-shaped[/] {key}: expected {tuple(expected)}, got {tuple(got)}")
        hidden = max(0, len(self.missing) - 10) + max(0, len(self.unexpected) - 10) + max(0, len(self.mismatched) - 10)
        if hidden:
            err_console.print(f"  ... and {hidden} more")


def load_state_dict_checked(module: nn.Module, state_dict: dict[str, torch.Tensor],
                            strict: bool = True, verbose: bool = True) -> LoadReport:
    """Load `state_dict` into `module`, reporting what does not fit.

    strict: any missing / unexpected / mis-shaped key -> CheckpointError (counts + first keys),
    nothing loaded. Non-strict: loads every key whose name and shape match, returns the report.
    """
    own = module.state_dict()
    report = LoadReport(
        missing=[k for k in own if k not in state_dict],
        unexpected=[k for k in state_dict if k not in own],
        mismatched=[(k, tuple(own[k].shape), tuple(v.shape)) for k, v in state_dict.items()
                    if k in own and tuple(own[k].shape) != tuple(v.shape)])
    if verbose:
        report.print()
    if strict and not report.ok:
        raise CheckpointError(f"weights do not fit {type(module).__name__}: {report.summary()} "
                              "(load with strict=False to keep what matches)")
    bad = {k for k, _, _ in report.mismatched}
    fitting = {k: v for k, v in state_dict.items() if k in own and k not in bad}
    module.load_state_dict(fitting, strict=False)
    return report


def _weights_bytes(backbone: nn.Module) -> bytes:
    # contiguous + detached: safetensors refuses views; bytes are deterministic for equal weights.
    state = {k: v.detach().contiguous().cpu() for k, v in backbone.state_dict().items()}
    return st_save(state)


def save_checkpoint(out_dir: str | Path, backbone: Backbone, config: dict[str, Any] | None = None) -> Path:
    """Write `model.safetensors` + `config.json` into `out_dir` (each file atomically).

    `config` (JSON-able) is merged over the required keys; `weights_sha256` is always the
    sha256 of the written safetensors file. Returns `out_dir`.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = _weights_bytes(backbone)
    merged = {"backbone": backbone.name, "backbone_kwargs": backbone.config(),
              "input_spec": backbone.input_spec.to_dict(), "method": "unspecified",
              "ssvzoo_version": __version__, **(config or {})}
    merged["weights_sha256"] = hashlib.sha256(data).hexdigest()
    write_bytes_atomic(out / WEIGHTS_FILE, data)
    write_json_atomic(out / CONFIG_FILE, merged)
    return out


@dataclass
class LoadedModel:
    """A backbone with where it came from: `model_id` and `weights_sha256` go into result records."""

    backbone: Backbone
    config: dict[str, Any]
    model_id: str
    weights_sha256: str
    source: Literal["random", "local", "zoo"]


def _read_config(path: Path) -> dict[str, Any]:
    try:
        config = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"cannot read {path}: {e}") from None
    if not isinstance(config, dict) or "backbone" not in config:
        raise CheckpointError(f"{path} has no 'backbone' entry; is this an ssvzoo model folder?")
    return config


def _load_local(path: Path, device: str, strict: bool) -> LoadedModel:
    folder, weights = (path.parent, path) if path.is_file() else (path, path / WEIGHTS_FILE)
    config_path = folder / CONFIG_FILE
    for needed in (config_path, weights):
        if not needed.is_file():
            raise CheckpointError(f"{needed} is missing; a model folder needs {CONFIG_FILE} and {WEIGHTS_FILE}")
    config = _read_config(config_path)
    try:
        backbone = create_backbone(config["backbone"], **config.get("backbone_kwargs", {}))
    except RegistryError as e:
        raise CheckpointError(f"{config_path}: {e}") from None
    except (TypeError, ValueError) as e:
        raise CheckpointError(f"{config_path}: bad backbone_kwargs for {config['backbone']}: {e}") from None
    data = weights.read_bytes()
    try:
        state = st_load(data)
    except (SafetensorError, ValueError) as e:
        raise CheckpointError(f"{weights} is not a readable safetensors file: {e}") from None
    load_state_dict_checked(backbone, state, strict=strict)
    sha = hashlib.sha256(data).hexdigest()
    return LoadedModel(backbone.to(device).eval(), config, str(folder.resolve()), sha, "local")


def _load_random(spec: str, device: str) -> LoadedModel:
    name, _, seed_text = spec.partition("@")
    try:
        seed = int(seed_text) if seed_text else 0
    except ValueError:
        raise ZooError(f"bad seed in random:{spec!r}; use random:<backbone>@<integer>") from None
    # fork_rng: seeding here must not disturb the caller's global RNG stream.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        backbone = create_backbone(name)
    sha = hashlib.sha256(_weights_bytes(backbone)).hexdigest()
    config = {"backbone": backbone.name, "backbone_kwargs": backbone.config(),
              "input_spec": backbone.input_spec.to_dict(), "method": "scratch", "seed": seed,
              "ssvzoo_version": __version__, "weights_sha256": sha}
    return LoadedModel(backbone.to(device).eval(), config, f"random:{name}@{seed}", sha, "random")


def resolve_zoo_name(name: str) -> Path:
    """Map a zoo model name to a downloaded folder. No zoo is published yet, so every name fails."""
    raise ZooError(f"unknown model {name!r}: no zoo models are published yet; give {ACCEPTED_FORMS}")


def load_model(name_or_path: str | Path, device: str = "cpu", strict: bool = True) -> LoadedModel:
    """Load a model by folder / .safetensors path / `random:<backbone>[@seed]` (eval mode).

    Anything else goes to `resolve_zoo_name`, which raises ZooError listing the accepted forms.
    """
    text = str(name_or_path)
    if text.startswith("random:"):
        return _load_random(text[len("random:"):], device)
    path = Path(text)
    if path.exists():
        return _load_local(path, device, strict)
    if "/" in text or "\\" in text or text.endswith(".safetensors"):
        raise CheckpointError(f"no such model folder or file: {text}")
    return _load_local(resolve_zoo_name(text), device, strict)
