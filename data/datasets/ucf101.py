"""UCF101 (Soomro et al. 2012): the official 3 train/test splits over the archive's folders.

Split files (`classInd.txt`, `trainlistNN.txt`, `testlistNN.txt`, CRLF line endings) come from
the package copy unless the root holds its own (then the root's win: SynthActions). Videos:
`ROOT/<Class>/v_<Class>_gXX_cYY.avi`, or `ROOT/UCF-101/...` as the archive unpacks.
"""

from __future__ import annotations

from pathlib import Path

from ssvzoo.data.datasets.base import (
    DATASETS,
    SplitDataset,
    VideoRecord,
    package_split_text,
)
from ssvzoo.errors import DatasetError
from ssvzoo.utils.io import sha256_json


def _normalised(text: str) -> list[str]:
    """Lines without line-ending or trailing-space differences (the archive uses CRLF)."""
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def parse_class_index(text: str) -> list[str]:
    """classInd.txt: `<1-based id> <ClassName>` per line -> class names in id order."""
    rows = [line.split() for line in text.splitlines() if line.strip()]
    ids = [int(r[0]) for r in rows]
    if sorted(ids) != list(range(1, len(rows) + 1)):
        raise DatasetError("classInd.txt must number its classes 1..N")
    return [name for _, name in sorted((int(r[0]), r[1]) for r in rows)]


def parse_video_list(text: str) -> list[str]:
    """trainlist / testlist: `<Class>/<video> [<id>]` per line -> relative paths.

    The label is taken from the folder name (test lists carry no id; train ids agree with
    classInd in the official files).
    """
    return [line.split()[0].replace("\\", "/") for line in text.splitlines() if line.strip()]


@DATASETS.register("ucf101")
class UCF101(SplitDataset):
    """UCF101 split `split` (1..3), subset "train" or "test"."""

    name = "ucf101"
    num_splits = 3

    def index(self) -> tuple[list[str], list[VideoRecord]]:
        classes = parse_class_index(self._split_text("classInd.txt"))
        list_name = f"{'trainlist' if self.subset == 'train' else 'testlist'}{self.split:02d}.txt"
        rel_paths = parse_video_list(self._split_text(list_name))
        video_root = self.root / "UCF-101" if (self.root / "UCF-101").is_dir() else self.root
        class_id = {c: i for i, c in enumerate(classes)}
        listed = []
        for rel in rel_paths:
            folder = rel.split("/")[0]
            if folder not in class_id:
                raise DatasetError(f"{list_name}: class folder {folder!r} is not in classInd.txt")
            listed.append(VideoRecord(video_root / rel, class_id[folder], Path(rel).stem))
        return classes, listed

    @classmethod
    def version(cls, root) -> str | None:
        """`splits-<hash>` when ROOT holds split files that differ from the official ones (so a
        custom split never shares a fingerprint with the official protocol); None otherwise."""
        folder = next((f for f in (Path(root), Path(root) / "ucfTrainTestlist")
                       if (f / "classInd.txt").is_file()), None)
        if folder is None:
            return None
        names = ["classInd.txt"] + [f"{kind}{i:02d}.txt" for i in range(1, cls.num_splits + 1)
                                    for kind in ("trainlist", "testlist")]
        own = {n: _normalised((folder / n).read_text("utf-8")) for n in names
               if (folder / n).is_file()}
        official = {n: _normalised(package_split_text("ucf101", n)) for n in own}
        if own == official:
            return None
        return f"splits-{sha256_json(own)[:8]}"

    def _split_text(self, name: str) -> str:
        """A split file from ROOT (or ROOT/ucfTrainTestlist) if present, else the package copy."""
        for folder in (self.root, self.root / "ucfTrainTestlist"):
            if (folder / "classInd.txt").is_file():
                path = folder / name
                if not path.is_file():
                    raise DatasetError(f"{folder} has classInd.txt but no {name}: "
                                       f"split {self.split} is not available there")
                return path.read_text("utf-8")
        return package_split_text("ucf101", name)

