"""The worksheet functions are called here as in tests/excel: the same fixture, the same stub."""

from tests.excel.conftest import udfs  # noqa: F401 - the fixture, shared
