import io
import zipfile
from pathlib import Path

import pytest

from kundenwert_xl.template.build import build

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def template_bytes() -> bytes:
    return build()


@pytest.fixture(scope="session")
def template_zip(template_bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(template_bytes))


@pytest.fixture(scope="session")
def template_file(tmp_path_factory, template_bytes) -> Path:
    path = tmp_path_factory.mktemp("template") / "workbook_template.xlsm"
    path.write_bytes(template_bytes)
    return path
