"""`ssvzoo data synth`: render SynthActions into a folder (light imports; numpy/av load lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def synth_command(
    out: Annotated[Path, typer.Option("--out", help="Output folder (empty, or a previous "
                                      "SynthActions output, which is regenerated).")],
    classes: Annotated[int, typer.Option("--classes", help="Number of action classes (2..12); "
                                         "the first N of the built-in list.")] = 6,
    videos_per_class: Annotated[int, typer.Option("--videos-per-class",
                                                  help="Videos per class (>= 2).")] = 50,
    size: Annotated[int, typer.Option("--size", help="Frame width and height in pixels "
                                      "(even, >= 32).")] = 112,
    frames: Annotated[int, typer.Option("--frames", help="Frames per video (>= 8).")] = 64,
    fps: Annotated[float, typer.Option("--fps", help="Frame rate written to the videos.")] = 25.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same "
                                      "videos for any --workers.")] = 0,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes.")] = 2,
    style: Annotated[str, typer.Option("--style", help="Scene nuisance: 'clean' (flat "
                                       "background, colours drawn per video; the default), "
                                       "'uniform' (every figure in one part palette on a grey "
                                       "of narrow brightness: no per-video appearance cue), "
                                       "'motion' (uniform, and classes share poses harder: "
                                       "single frames say less) or 'cluttered' (drifting "
                                       "textures, distractors, blur, noise).")] = "clean",
    force: Annotated[bool, typer.Option("--force", help="Write into a non-empty folder that is "
                                        "not a SynthActions output.")] = False,
) -> None:
    """Generate SynthActions: rendered videos of articulated figures, classes told apart by motion.

    Layout of UCF101 (OUT/Class/v_Class_gNN_cMM.mp4, classInd.txt, train/testlist01.txt).

    Beside each video an .npz holds its part-segmentation maps and 2-D joints.

    Example: ssvzoo data synth --out synth --classes 6 --videos-per-class 50 --size 112 --frames 64
    """
    from rich.table import Table

    from ssvzoo.data.synth.generate import generate
    from ssvzoo.utils.console import console

    summary = generate(out, classes=classes, videos_per_class=videos_per_class, size=size,
                       frames=frames, fps=fps, seed=seed, workers=workers, progress=True,
                       force=force, style=style)
    table = Table(title=f"SynthActions at {summary.out}")
    for column in ("classes", "train videos", "test videos", "frames", "size", "seconds"):
        table.add_column(column, justify="right")
    table.add_row(str(len(summary.classes)), str(summary.num_train), str(summary.num_test),
                  str(summary.frames), f"{summary.size}x{summary.size}", f"{summary.seconds:.1f}")
    console.print(table)
    console.print("classes: " + ", ".join(summary.classes))
