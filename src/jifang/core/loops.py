"""The event loop of Jifang's network servers (the alarm receiver, the video gateway).

uvloop (libuv) costs a server less CPU per message than asyncio's own loop on its TCP and UDP
transports (docs/benchmarks.md), so "auto" takes it when it is installed; "asyncio" keeps asyncio's
own (to compare, or where uvloop does not build); "uvloop" insists on it."""

CHOICES = ("auto", "uvloop", "asyncio")


def loop_factory(choice: str = "auto"):
    """The `loop_factory` for `asyncio.run` / `asyncio.Runner`: uvloop's when chosen or, for "auto",
    installed; None means asyncio's own."""
    if choice not in CHOICES:
        raise ValueError(f"unknown event loop {choice!r}: auto, uvloop or asyncio")
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise
        return None
    return uvloop.new_event_loop
