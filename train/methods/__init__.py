"""Pre-training methods, one file each, registered in `METHODS`."""

from ssvzoo.train.methods.base import METHODS, Method, create_method
from ssvzoo.train.methods import moco, rspnet, scratch, supervised  # noqa: F401  (register)

__all__ = ["METHODS", "Method", "create_method"]
