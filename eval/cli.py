"""`ssvzoo eval`: options -> `EvalOptions` -> `ssvzoo.eval.runner.evaluate`. Heavy imports inside."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from ssvzoo.errors import ConfigError

DATASET_NAMES = "ucf101|hmdb51|kinetics400|ssv2|synthactions"


def parse_ft_set(items: list[str]) -> dict:
    """`KEY=VALUE` pairs; VALUE is read as JSON when it parses (numbers, lists), else a string."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--ft-set wants KEY=VALUE, got {item!r}")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def eval_command(
    model: Annotated[str, typer.Option("--model", help="Zoo name, checkpoint folder "
                                       "(model.safetensors + config.json), random:<backbone> "
                                       "or random:<backbone>@<seed>.")],
    dataset: Annotated[str, typer.Option("--dataset", help=DATASET_NAMES)],
    root: Annotated[str, typer.Option("--root", help="Folder holding the dataset's videos.")],
    protocol: Annotated[str, typer.Option("--protocol", help="Comma-separated: retrieval, "
                                          "linear, finetune.")] = "retrieval,linear",
    split: Annotated[str, typer.Option("--split", help="1|2|3|all (all = every official split, "
                                       "mean and std).")] = "1",
    device: Annotated[str, typer.Option("--device", help="auto|cpu|cuda.")] = "auto",
    out: Annotated[Optional[str], typer.Option("--out", help="Also write the record(s) to this "
                                               "JSON file (a list when there are several).")] = None,
    clips: Annotated[int, typer.Option("--clips", help="Uniformly spaced clips per video.")] = 10,
    crops: Annotated[Optional[int], typer.Option("--crops", help="1 (centre) or 3 (left, centre, "
                                                 "right); default 1, fine-tune test 3.")] = None,
    frames: Annotated[Optional[int], typer.Option("--frames", help="Frames per clip; default: "
                                                  "the model's input spec.")] = None,
    variant: Annotated[str, typer.Option("--variant", help="Retrieval convention: default "
                                         "(CSVR/VCOP/RSPNet), coclr (mean-centred), vcop "
                                         "(conv5 max-pooled, flattened).")] = "default",
    clip_level: Annotated[bool, typer.Option("--clip-level", help="Score each clip on its own "
                                             "instead of averaging per video.")] = False,
    features_out: Annotated[Optional[str], typer.Option("--features-out", help="Also write the "
                                                        "features as .npy + index.csv/json here.")] = None,
    cache_dir: Annotated[Optional[str], typer.Option("--cache-dir", help="Cache root (features/, "
                                                     "finetune/); default $SSVZOO_CACHE or "
                                                     "~/.cache/ssvzoo.")] = None,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    workers: Annotated[int, typer.Option("--workers", help="DataLoader decode workers.")] = 2,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Clips per forward pass.")] = 32,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="Fine-tune epochs "
                                                  "(default 100, CSVR).")] = None,
    lr: Annotated[Optional[float], typer.Option("--lr", help="Fine-tune lr (default 1e-4 x "
                                                "batch; 2e-4 x batch on HMDB51).")] = None,
    ft_batch_size: Annotated[Optional[int], typer.Option("--ft-batch-size", help="Fine-tune "
                                                         "batch (default 32).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Resume an interrupted fine-tune.")] = False,
    ft_set: Annotated[Optional[list[str]], typer.Option("--ft-set", help="Any fine-tune recipe "
                                                        "field, KEY=VALUE (repeatable), e.g. "
                                                        "weight_decay=0.002.")] = None,
) -> None:
    """Evaluate a model: retrieval R@k, linear probe, fine-tune; writes result records.

    Example: ssvzoo eval --model random:r2plus1d_18-tiny --dataset synthactions --root synth
    --protocol retrieval,linear --split 1
    """
    from ssvzoo.eval.runner import EvalOptions, evaluate

    finetune = parse_ft_set(ft_set or [])
    for key, value in (("epochs", epochs), ("lr", lr), ("batch_size", ft_batch_size)):
        if value is not None:
            finetune[key] = value
    opts = EvalOptions(
        model=model, dataset=dataset, root=root,
        protocols=tuple(dict.fromkeys(p.strip() for p in protocol.split(",") if p.strip())),
        split=split,
        device=device, out=out, clips=clips, crops=crops, frames=frames, variant=variant,
        clip_level=clip_level, features_out=features_out, cache_dir=cache_dir, seed=seed,
        workers=workers, batch_size=batch_size, finetune=finetune, resume=resume)
    evaluate(opts)
