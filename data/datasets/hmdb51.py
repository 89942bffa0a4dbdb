"""HMDB51 (Kuehne et al. 2011): the official 3 splits (`testTrainMulti_7030_splits`).

153 files `<class>_test_split{1,2,3}.txt`, each line `<video>.avi <id> ` (trailing space) with
id 1 = train, 2 = test, 0 = unused in that split. The files do not define class ids; we use the
common convention: the 51 class names sorted alphabetically -> 0..50. Videos:
`ROOT/<class>/<video>.avi`. A root holding its own split files (directly or in
`testTrainMulti_7030_splits/`) overrides the package copy.
"""

from __future__ import annotations

import re
from pathlib import Path

from ssvzoo.data.datasets.base import (
    DATASETS,
    SplitDataset,
    VideoRecord,
    package_split_names,
    package_split_text,
)
from ssvzoo.errors import DatasetError

_SPLIT_FILE = re.compile(r"^(?P<cls>.+)_test_split(?P<split>[123])\.txt$")
_SUBSET_ID = {"train": "1", "test": "2"}


@DATASETS.register("hmdb51")
class HMDB51(SplitDataset):
    """HMDB51 split `split` (1..3), subset "train" or "test"."""

    name = "hmdb51"
    num_splits = 3

    def index(self) -> tuple[list[str], list[VideoRecord]]:
        files = self._split_files(self.split)  # class name -> file text
        classes = sorted(files)
        listed = []
        for label, cls in enumerate(classes):
            for line in files[cls].splitlines():
                fields = line.split()
                if len(fields) != 2:
                    continue
                video, subset_id = fields
                if subset_id == _SUBSET_ID[self.subset]:
                    listed.append(VideoRecord(self.root / cls / video, label, Path(video).stem))
        return classes, listed

    def _split_files(self, split: int) -> dict[str, str]:
        for folder in (self.root / "testTrainMulti_7030_splits", self.root):
            local = sorted(folder.glob(f"*_test_split{split}.txt")) if folder.is_dir() else []
            if local:
                return {_SPLIT_FILE.match(p.name)["cls"]: p.read_text("utf-8") for p in local}
        names = [n for n in package_split_names("hmdb51") if n.endswith(f"_split{split}.txt")]
        if not names:
            raise DatasetError(f"no HMDB51 split files for split {split} in the package")
        return {_SPLIT_FILE.match(n)["cls"]: package_split_text("hmdb51", n) for n in names}

