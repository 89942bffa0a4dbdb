"""Fine-tune: the checkpoint's backbone + dropout + a fresh linear head, trained end to end.

Training goes through the project's one loop (`ssvzoo.train.engine.fit`) with the `supervised`
method; this file only chooses the recipe, the data and the test. Default recipe = CSVR's
(seed-methods.md 3.6): batch 32, 100 epochs, SGD momentum 0.9 + cosine, lr 1e-4 x batch
(2e-4 x batch on HMDB51), weight decay 0.003 (0.002 on HMDB51), dropout 0.3; augmentations
random resized crop, flip, blur, colour jitter (their strengths are not given by CSVR; ours are
in `FinetuneRecipe`). Every field is overridable (`--epochs --lr --ft-batch-size --ft-set`).

Test (CSVR does not give it; VCOP's protocol with RSPNet's/the papers' 3 crops): K uniformly
spaced clips x 3 crops (left, centre, right) per test video, logits averaged, top-1 / top-5.
The last epoch's model is tested; the test split is never used for any choice. With
`val_fraction > 0` a stratified part of the training videos is held out, scored each epoch
(1 centre clip) and the engine keeps that epoch's checkpoint as `best/`.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ssvzoo.errors import DatasetError
from ssvzoo.eval.protocols import PROTOCOLS, Protocol, ProtocolResult, level_name

# Per-dataset defaults of CSVR's recipe; every other dataset takes UCF101's.
DATASET_DEFAULTS = {"hmdb51": {"lr_per_sample": 2e-4, "weight_decay": 0.002}}


@dataclass
class FinetuneRecipe:
    epochs: int = 100
    batch_size: int = 32
    lr: float | None = None  # None: lr_per_sample x batch_size
    lr_per_sample: float = 1e-4  # CSVR: 0.0001 x 32 on UCF101 (HMDB51: 0.0002)
    weight_decay: float = 0.003  # CSVR: UCF101 0.003, HMDB51 0.002
    momentum: float = 0.9
    optimizer: str = "sgd"  # CSVR's SGD; "adamw" converges in fewer epochs on small CPU budgets
    schedule: str = "cosine"
    warmup_epochs: float = 0.0
    dropout: float = 0.3  # CSVR: before the last layer
    scale: tuple[float, float] = (0.25, 1.0)  # random resized crop area (RSPNet's fine-tune)
    flip: bool = True
    color_jitter: float = 0.4  # not given by CSVR: SimCLR strength 0.4 with p = 0.8
    blur_p: float = 0.5  # not given by CSVR: Gaussian blur with p = 0.5
    test_crops: int = 3
    # The 2-D baseline: the network sees only each clip's middle frame repeated over time, in
    # training and at test (supervised method's `frame_only`); measures how much motion matters.
    frame_only: bool = False
    val_fraction: float = 0.0  # > 0: held-out train videos pick `best/` (test stays on last)
    amp: bool = True  # mixed precision on CUDA only
    max_steps_per_epoch: int | None = None  # smoke runs

    def resolved_lr(self) -> float:
        return self.lr if self.lr is not None else self.lr_per_sample * self.batch_size


def make_recipe(dataset: str, overrides: dict) -> FinetuneRecipe:
    from ssvzoo.train.config import make_config

    return make_config(FinetuneRecipe, {**DATASET_DEFAULTS.get(dataset, {}), **overrides},
                       what="fine-tune recipe")


def build_train_data(ctx, recipe: FinetuneRecipe, frames: int, stride: int, size: int, mean,
                     std):
    """Train (and optional validation) datasets for the fine-tune."""
    from ssvzoo.data.datasets import ClipSampleBuilder, VideoDataset, create_dataset
    from ssvzoo.data.samplers import RandomClipSampler
    from ssvzoo.data.transforms import train_transform
    from ssvzoo.eval.protocols.linear import stratified_holdout

    transform = train_transform(size, scale=tuple(recipe.scale), flip=recipe.flip,
                                color_jitter=recipe.color_jitter, blur_p=recipe.blur_p,
                                mean=mean, std=std)
    builder = ClipSampleBuilder(RandomClipSampler(frames, stride), transform)
    train = create_dataset(ctx.dataset, ctx.root, split=ctx.split, subset="train",
                           sample_builder=builder, seed=ctx.options.seed)
    if recipe.val_fraction <= 0:
        return train, None
    held = stratified_holdout(train.labels, recipe.val_fraction, ctx.options.seed)
    records = np.array(train.records, dtype=object)
    kept = VideoDataset(list(records[~held]), train.classes, builder, ctx.options.seed)
    val = VideoDataset(list(records[held]), train.classes, None, ctx.options.seed)
    return kept, val


def out_dir_for(ctx, params: dict) -> Path:
    """Where checkpoints go: `<cache>/finetune/<key>`, stable across runs so --resume works."""
    import os

    from ssvzoo.utils.io import sha256_json

    base = (Path(ctx.options.cache_dir) if ctx.options.cache_dir else
            Path(os.environ.get("SSVZOO_CACHE", Path.home() / ".cache" / "ssvzoo")).expanduser())
    key = sha256_json({"weights": ctx.model.weights_sha256, "dataset": ctx.dataset,
                       "root": str(Path(ctx.root).resolve()), "split": ctx.split,
                       "params": params, "seed": ctx.options.seed})[:16]
    return base / "finetune" / key


def predict(method, dataset, params, ctx, description: str) -> dict:
    """Logits of every clip x crop of `dataset` (items from `MultiCropClips`)."""
    import torch

    from ssvzoo.eval.features import run_extraction

    method.eval()
    return run_extraction(dataset, method.logits, clips_per_video=params.clips * params.crops,
                          device=torch.device(next(method.parameters()).device),
                          batch_size=ctx.options.batch_size, workers=ctx.options.workers,
                          description=description)


def accuracy(out: dict, crops: int, clip_level: bool) -> dict[int, float]:
    from ssvzoo.eval.metrics import topk_accuracy

    logits = out["outputs"]  # (V, K*crops, classes)
    v, n, c = logits.shape
    per_clip = logits.reshape(v, n // crops, crops, c).mean(axis=2)  # (V, K, classes)
    if clip_level:
        return topk_accuracy(per_clip.reshape(-1, c), np.repeat(out["labels"], n // crops))
    return topk_accuracy(per_clip.mean(axis=1), out["labels"])


@PROTOCOLS.register("finetune")
class Finetune(Protocol):
    name = "finetune"

    def run(self, ctx) -> ProtocolResult:
        from ssvzoo.data.datasets import create_dataset
        from ssvzoo.eval.features import MultiCropClips
        from ssvzoo.train.engine import TrainConfig, fit
        from ssvzoo.train.methods import create_method

        opts = ctx.options
        recipe = make_recipe(ctx.dataset, opts.finetune)
        spec = ctx.input_spec
        test_params = ctx.feature_params("gap", opts.crops or recipe.test_crops)
        frames, size = test_params.frames, test_params.crop
        train, val = build_train_data(ctx, recipe, frames, test_params.stride, size, spec.mean,
                                      spec.std)
        test = create_dataset(ctx.dataset, ctx.root, split=ctx.split, subset="test",
                              sample_builder=MultiCropClips(test_params, spec.mean, spec.std))
        recipe_dict = {**dataclasses.asdict(recipe), "lr": recipe.resolved_lr(),
                       "scale": list(recipe.scale)}
        params = {"recipe": recipe_dict, "clips": test_params.clips, "frames": frames, "stride": test_params.stride,
                  "resize": test_params.as_dict()["resize"], "crop": size, "crops": test_params.crops,
                  "average": "logits", "tested_model": "last epoch",
                  "level": level_name(opts.clip_level)}
        backbone = copy.deepcopy(ctx.model.backbone)  # other protocols keep the frozen weights
        method = create_method("supervised", backbone, num_classes=len(train.classes),
                               dropout=recipe.dropout, frames=frames, size=size,
                               frame_only=recipe.frame_only)
        out_dir = out_dir_for(ctx, params)
        cfg = TrainConfig(epochs=recipe.epochs, batch_size=recipe.batch_size,
                          lr=recipe.resolved_lr(), optimizer=recipe.optimizer, momentum=recipe.momentum,
                          weight_decay=recipe.weight_decay, schedule=recipe.schedule,
                          warmup_epochs=recipe.warmup_epochs, amp=recipe.amp,
                          num_workers=opts.workers, seed=opts.seed, device=ctx.device,
                          out_dir=str(out_dir), resume=opts.resume,
                          max_steps_per_epoch=recipe.max_steps_per_epoch)
        on_epoch_end = None
        if val is not None:
            val_params = dataclasses.replace(test_params, clips=1, crops=1)
            val.sample_builder = MultiCropClips(val_params, spec.mean, spec.std)

            def on_epoch_end(epoch, m):
                out = predict(m, val, val_params, ctx, f"val epoch {epoch + 1}")
                top1 = accuracy(out, 1, False)[1]
                return {"score": top1, "val_top1": top1}

        result = fit(method, train, cfg, on_epoch_end=on_epoch_end,
                     run_config={"protocol": "finetune", "dataset": ctx.dataset,
                                 "split": ctx.split, "init_model": ctx.model.model_id,
                                 "init_weights_sha256": ctx.model.weights_sha256})
        out = predict(result.method, test, test_params, ctx, "fine-tune test")
        if len(out["labels"]) == 0:
            raise DatasetError(f"no readable test video in {ctx.dataset} split {ctx.split} "
                               f"under {ctx.root} ({len(out['skipped'])} unreadable)")
        acc = accuracy(out, test_params.crops, opts.clip_level)
        train_skipped = [str(p) for p in result.skipped_videos]  # paths, from the engine
        return ProtocolResult(
            params=params, metrics={"top1": acc[1], "top5": acc[5]},
            num_train=len(train) + (len(val) if val is not None else 0), num_test=len(test),
            skipped_videos=sorted(set(train_skipped) | set(map(str, out["skipped"]))
                                  | {str(r.path) for r in train.missing + test.missing}),
            details={"checkpoint_dir": str(out_dir), "epochs_done": result.epochs_done,
                     "final_train_losses": result.final_losses,
                     "best_val_top1": result.best_score})
