"""`ssvzoo zoo ...`: list the backbones (params, FLOPs), inspect a model folder."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

app = typer.Typer(help="Model zoo: backbones and model folders.", no_args_is_help=True)


@app.callback()
def _zoo() -> None:
    """Model zoo: backbones and model folders."""


def _backbone_row(name: str, frames: int, size: int) -> dict:
    from ssvzoo.zoo.backbones import create_backbone
    from ssvzoo.zoo.profile import count_flops, count_params

    import torch

    # On the meta device nothing is computed: FlopCounterMode still sees every op and shape.
    with torch.device("meta"):
        backbone = create_backbone(name)
    spec = backbone.input_spec
    at_input = count_flops(backbone, frames=frames, size=size)
    row = {"name": name, "family": type(backbone).family, "params": count_params(backbone),
           "input": [frames, size], "gflops": round(at_input.gflops, 3), "gmacs": round(at_input.gmacs, 3),
           "embed_dim": backbone.embed_dim, "stages": list(backbone.stage_names),
           "input_spec": spec.to_dict()}
    if (spec.frames, spec.size) != (frames, size):
        own = count_flops(backbone, frames=spec.frames, size=spec.size)
        row["own_input"] = {"gflops": round(own.gflops, 3), "gmacs": round(own.gmacs, 3)}
    return row


@app.command("backbones")
def backbones_command(
    names: Annotated[Optional[list[str]], typer.Argument(help="Backbones to show (default: all).")] = None,
    frames: Annotated[int, typer.Option("--frames", min=1, help="Clip length for FLOPs.")] = 16,
    size: Annotated[int, typer.Option("--size", min=16, help="Clip height = width for FLOPs.")] = 112,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List registered backbones: params, FLOPs per clip, embed dim, stages.

    GFLOPs count a multiply-add as 2 FLOPs (torch FlopCounterMode; convs and
    matmuls only). GMACs = GFLOPs / 2, what most papers call "GFLOPs".
    -tiny variants are also measured at their own input spec (8x64x64).

    Example: ssvzoo zoo backbones r21d_10 r2plus1d_18 --frames 16 --size 112
    """
    from ssvzoo.utils.console import console, progress
    from ssvzoo.zoo.backbones import BACKBONES, list_backbones

    selected = names or list_backbones()
    for name in selected:
        BACKBONES.get(name)  # unknown name -> RegistryError before any work
    rows = []
    with progress(transient=True) as bar:
        task = bar.add_task("measuring", total=len(selected), info="")
        for name in selected:
            bar.update(task, info=name)
            rows.append(_backbone_row(name, frames, size))
            bar.advance(task)
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    console.print(_table(rows, frames, size))


def _table(rows: list[dict], frames: int, size: int):
    from rich.table import Table

    table = Table(title=f"backbones (FLOPs per clip of {frames}x{size}x{size}; GFLOPs = 2 x GMACs)")
    table.add_column("name", no_wrap=True)
    table.add_column("family", no_wrap=True)
    for col in ("params M", f"GFLOPs {frames}x{size}", f"GMACs {frames}x{size}", "GFLOPs own", "GMACs own",
                "embed"):
        table.add_column(col, justify="right")
    table.add_column("stages")
    table.add_column("input", no_wrap=True)
    for r in rows:
        spec = r["input_spec"]
        own = r.get("own_input")
        table.add_row(r["name"], r["family"], f"{r['params'] / 1e6:.2f}", f"{r['gflops']:.2f}",
                      f"{r['gmacs']:.2f}", f"{own['gflops']:.3f}" if own else "-",
                      f"{own['gmacs']:.3f}" if own else "-", str(r["embed_dim"]),
                      f"{r['stages'][0]}..{r['stages'][-1]} ({len(r['stages'])})",
                      f"{spec['frames']}x{spec['size']}")
    return table


@app.command("inspect")
def inspect_command(
    model: Annotated[str, typer.Argument(help="Model folder or random:<backbone>[@seed].")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Load a model strictly and print its id, weights checksum, backbone and config.

    Example: ssvzoo zoo inspect runs/vcop/last
    """
    from ssvzoo.utils.console import console
    from ssvzoo.zoo.checkpoint import load_model
    from ssvzoo.zoo.profile import count_params

    loaded = load_model(model)
    info = {"model_id": loaded.model_id, "source": loaded.source, "weights_sha256": loaded.weights_sha256,
            "backbone": loaded.backbone.name, "params": count_params(loaded.backbone),
            "embed_dim": loaded.backbone.embed_dim, "config": loaded.config}
    if as_json:
        typer.echo(json.dumps(info, indent=2))
    else:
        console.print_json(json.dumps(info))
