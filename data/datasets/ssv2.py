"""Something-Something v2 (Goyal et al. 2017): labels json + train/validation json + webm folder.

`ROOT/something-something-v2-{train,validation}.json` (or `ROOT/labels/{train,validation}.json`
as the current download unpacks): a list of {"id", "label", "template", "placeholders"}. The
class is the template with its [] brackets removed ("Putting [something] on [something]" ->
"Putting something on something"), looked up in the labels json (template -> "index");
`ROOT/labels.json` wins over the package copy. Videos: `ROOT/20bn-something-something-v2/<id>.webm`.
Subset "test" reads validation (test labels are not public).
"""

from __future__ import annotations

import json
from pathlib import Path

from ssvzoo.data.datasets.base import (
    DATASETS,
    SplitDataset,
    VideoRecord,
    package_split_text,
)
from ssvzoo.errors import DatasetError

_SUBSET = {"train": "train", "test": "validation"}
_VIDEO_DIR = "20bn-something-something-v2"


def template_to_class(template: str) -> str:
    return template.replace("[", "").replace("]", "")


@DATASETS.register("ssv2")
class SSv2(SplitDataset):
    """Something-Something v2, one split; subset "train" or "test" (= validation)."""

    name = "ssv2"
    num_splits = 1

    def index(self) -> tuple[list[str], list[VideoRecord]]:
        label_map = self._labels()  # class name -> id
        classes = [c for c, _ in sorted(label_map.items(), key=lambda kv: kv[1])]
        ann_path = self._find(f"something-something-v2-{_SUBSET[self.subset]}.json",
                              f"labels/{_SUBSET[self.subset]}.json")
        try:
            entries = json.loads(ann_path.read_text("utf-8"))
        except json.JSONDecodeError as e:
            raise DatasetError(f"{ann_path} is not valid JSON ({e})") from None
        if not isinstance(entries, list):
            raise DatasetError(f"{ann_path} must hold a JSON list of videos")
        video_dir = self.root / _VIDEO_DIR
        listed = []
        for entry in entries:
            if not (isinstance(entry, dict) and {"id", "template"} <= set(entry)):
                raise DatasetError(f"{ann_path}: every entry needs \"id\" and \"template\"; "
                                   f"got {str(entry)[:80]}")
            cls = template_to_class(entry["template"])
            if cls not in label_map:
                raise DatasetError(f"{ann_path}: template {entry['template']!r} of video "
                                   f"{entry['id']} is not in the SSv2 labels")
            vid = str(entry["id"])
            listed.append(VideoRecord(video_dir / f"{vid}.webm", label_map[cls], vid))
        return classes, listed

    def _find(self, *names: str) -> Path:
        for name in names:
            if (self.root / name).is_file():
                return self.root / name
        raise DatasetError(f"none of {', '.join(names)} found in {self.root} (SSv2 annotations)")

    def _labels(self) -> dict[str, int]:
        for name in ("labels.json", "something-something-v2-labels.json", "labels/labels.json"):
            if (self.root / name).is_file():
                text = (self.root / name).read_text("utf-8")
                break
        else:
            text = package_split_text("ssv2", "something-something-v2-labels.json")
        return {k: int(v) for k, v in json.loads(text).items()}

