"""One exception family: the CLI prints any SsvzooError as one line and exits 2."""

from __future__ import annotations


class SsvzooError(Exception):
    """A problem the user can fix; the message says what to fix."""


class ConfigError(SsvzooError):
    """Bad option value or configuration."""


class RegistryError(SsvzooError, KeyError):
    """Unknown name in a registry (backbone, dataset, method, protocol, ...)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class VideoReadError(SsvzooError):
    """A video file cannot be decoded: missing, empty, truncated or not a video."""

    def __init__(self, path, cause: str):
        self.path = str(path)
        self.cause = cause
        super().__init__(f"cannot read video {self.path}: {cause}")


class DatasetError(SsvzooError):
    """A dataset root, split or annotation file is missing or inconsistent."""


class CheckpointError(SsvzooError):
    """A checkpoint is missing, malformed or does not fit the model."""


class TrainingDiverged(SsvzooError):
    """The loss became NaN or infinite; the last complete checkpoint is kept."""


class ZooError(SsvzooError):
    """A model name cannot be resolved or downloaded."""
