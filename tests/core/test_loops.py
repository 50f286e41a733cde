"""Both network servers (the alarm receiver, the video gateway) choose their event loop one way."""
import pytest

from jifang.core.loops import loop_factory


def test_the_event_loop_is_uvloop_when_installed_or_asyncios_own():
    import uvloop

    assert loop_factory("auto") is uvloop.new_event_loop and loop_factory("uvloop") is uvloop.new_event_loop
    assert loop_factory("asyncio") is None
    with pytest.raises(ValueError):
        loop_factory("trio")
