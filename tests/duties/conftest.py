"""The engine fixture of the regulation tests, for the duty rules."""
from tests.regulation.conftest import scan  # noqa: F401
