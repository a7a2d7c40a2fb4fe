"""The boards package stays in rooms of a readable size."""

from pathlib import Path

import forum.boards

LIMIT = 450


def test_no_boards_module_is_over_the_limit():
    folder = Path(forum.boards.__file__).parent
    sizes = {path.name: len(path.read_text().splitlines()) for path in folder.glob("*.py")}
    assert {name: lines for name, lines in sizes.items() if lines > LIMIT} == {}
