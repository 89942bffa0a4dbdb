import pytest

from ssvzoo.errors import RegistryError, SsvzooError
from ssvzoo.registry import Registry


def test_register_get_and_names():
    reg = Registry("widget")

    @reg.register("b")
    def make_b():
        return "B"

    reg.register("a")(lambda: "A")
    assert reg.get("b")() == "B"
    assert reg.names() == ["a", "b"]
    assert "a" in reg and "c" not in reg
    assert len(reg) == 2


def test_unknown_name_suggests_close_match():
    reg = Registry("backbone")
    reg.register("r3d_18")(object)
    with pytest.raises(RegistryError) as info:
        reg.get("r3d-18")
    msg = str(info.value)
    assert isinstance(info.value, SsvzooError)
    assert "unknown backbone 'r3d-18'" in msg and "Did you mean r3d_18" in msg
    assert "\n" not in msg


def test_duplicate_registration_is_refused():
    reg = Registry("method")
    reg.register("moco")(object)
    with pytest.raises(ValueError):
        reg.register("moco")(object)
