"""Frozen teachers (one file each, registry `TEACHERS`) and their disk cache."""

from ssvzoo.train.teachers.base import TEACHERS, Teacher, freeze
from ssvzoo.train.teachers import synth_oracle  # noqa: F401  (register)
from ssvzoo.train.teachers.cache import TeacherCache

__all__ = ["TEACHERS", "Teacher", "TeacherCache", "create_teacher", "freeze"]


def create_teacher(name: str, **kwargs) -> Teacher:
    return TEACHERS.get(name)(**kwargs)
