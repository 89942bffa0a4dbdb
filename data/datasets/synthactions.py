"""SynthActions: the rendered dataset `ssvzoo data synth` writes, read by the UCF101 reader.

Layout (ARCHITECTURE.md): ROOT/classInd.txt, trainlist01.txt, testlist01.txt,
ROOT/<Class>/v_<Class>_gNN_cMM.mp4 and a sidecar `.npz` with the same stem holding `parts`
(T, H, W) uint8 and `joints` (T, J, 2) float32 (the oracle teacher targets).
"""

from __future__ import annotations

from pathlib import Path

from ssvzoo.data.datasets.base import DATASETS, VideoRecord
from ssvzoo.data.datasets.ucf101 import UCF101
from ssvzoo.errors import DatasetError


@DATASETS.register("synthactions")
class SynthActions(UCF101):
    """SynthActions, one split; subset "train" or "test"."""

    name = "synthactions"
    num_splits = 1

    def index(self) -> tuple[list[str], list[VideoRecord]]:
        # Never fall back to UCF101's packaged split files.
        if not (self.root / "classInd.txt").is_file():
            raise DatasetError(f"{self.root} is not a SynthActions folder (no classInd.txt); "
                               f"generate one with: ssvzoo data synth --out {self.root}")
        return super().index()

    @classmethod
    def version(cls, root) -> str | None:
        """`g<generator version>-<hash of the generator config>` from synthactions.json: the
        same seed and settings give the same videos, so this names the data exactly."""
        import json

        from ssvzoo.utils.io import sha256_json

        try:
            manifest = json.loads((Path(root) / "synthactions.json").read_text())
        except (OSError, ValueError):
            return None
        return (f"g{manifest.get('generator_version', '?')}-"
                f"{sha256_json(manifest.get('config', {}))[:8]}")

    @staticmethod
    def annotation_path(record: VideoRecord) -> Path:
        """The sidecar .npz (parts, joints) of a video."""
        return record.path.with_suffix(".npz")

