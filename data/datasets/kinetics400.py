"""Kinetics-400 (Kay et al. 2017) in the CVDF layout.

`ROOT/annotations/{train,val,test}.csv` (columns label, youtube_id, time_start, time_end,
split) and `ROOT/{train,val,test}/<youtube_id>_<time_start:06d>_<time_end:06d>.mp4`; a
`ROOT/<subset>/<label>/<file>.mp4` folder per class is accepted too. Subset "test" reads val
(the test labels were never released). Class ids: DeepMind's `label_map.txt` (alphabetical).
"""

from __future__ import annotations

import csv
from pathlib import Path

from ssvzoo.data.datasets.base import (
    DATASETS,
    SplitDataset,
    VideoRecord,
    package_split_text,
)
from ssvzoo.errors import DatasetError

_FOLDER = {"train": "train", "test": "val"}
CSV_COLUMNS = ("label", "youtube_id", "time_start", "time_end")


def clip_file_name(youtube_id: str, time_start: str | int, time_end: str | int) -> str:
    return f"{youtube_id}_{int(float(time_start)):06d}_{int(float(time_end)):06d}.mp4"


@DATASETS.register("kinetics400")
class Kinetics400(SplitDataset):
    """Kinetics-400, one split; subset "train" or "test" (= val)."""

    name = "kinetics400"
    num_splits = 1

    def index(self) -> tuple[list[str], list[VideoRecord]]:
        classes = [c.strip() for c in package_split_text("kinetics400", "label_map.txt").splitlines()
                   if c.strip()]
        class_id = {c: i for i, c in enumerate(classes)}
        folder = _FOLDER[self.subset]
        csv_path = self.root / "annotations" / f"{folder}.csv"
        if not csv_path.is_file():
            raise DatasetError(f"missing {csv_path}: the CVDF Kinetics-400 layout has "
                               f"ROOT/annotations/{{train,val,test}}.csv")
        listed = []
        with open(csv_path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            absent = sorted(set(CSV_COLUMNS) - set(reader.fieldnames or []))
            if absent:
                raise DatasetError(f"{csv_path} lacks the column(s) {', '.join(absent)} of the "
                                   f"CVDF layout ({','.join(CSV_COLUMNS)},...)")
            for row in reader:
                label = row["label"].strip().strip('"')
                if label not in class_id:
                    raise DatasetError(f"{csv_path}: label {label!r} is not a Kinetics-400 class")
                name = clip_file_name(row["youtube_id"], row["time_start"], row["time_end"])
                path = self.root / folder / name
                if not path.is_file() and (self.root / folder / label / name).is_file():
                    path = self.root / folder / label / name
                listed.append(VideoRecord(path, class_id[label], Path(name).stem))
        return classes, listed

