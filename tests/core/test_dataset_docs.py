"""docs/import-format.md documents every sheet the import accepts and every column of each: a sheet
registered by an app without its table in the docs fails here."""
import re
from pathlib import Path

import pytest

from jifang.core import dataset as ds

DOC = (Path(__file__).parents[2] / "docs" / "import-format.md").read_text()


@pytest.mark.parametrize("sheet", ds.sheets(), ids=lambda s: s.name)
def test_every_sheet_and_column_is_documented(sheet):
    heading = f"### {sheet.title} (`{sheet.name}`)"
    assert heading in DOC, heading
    table = DOC.split(heading, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| [^|]+ \| `(\w+)` \|", table, re.M))
    assert documented == {"id", *(c.key for c in sheet.all_cells())}
