"""gunicorn.conf.py: each worker freezes the warm heap out of the garbage collector's
walks, and the file imports nothing of the forum (a reload must load new code)."""

import ast
import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

CONFIG = Path(__file__).resolve().parents[1] / "gunicorn.conf.py"


@pytest.fixture
def config():
    settings = runpy.run_path(str(CONFIG))
    yield settings
    gc.unfreeze()  # the rest of the test run collects as before


def test_a_worker_freezes_the_loaded_app(config):
    gc.unfreeze()
    worker = SimpleNamespace()
    config["post_worker_init"](worker)
    assert gc.get_freeze_count() > 0


def test_a_worker_freezes_once_more_when_warm_and_then_never(config):
    worker = SimpleNamespace()
    config["post_worker_init"](worker)
    request = SimpleNamespace()
    for _ in range(config["FREEZE_AGAIN_AFTER"] - 1):
        config["post_request"](worker, request, {}, None)
    gc.unfreeze()
    config["post_request"](worker, request, {}, None)  # the warm-up's last request
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
    for _ in range(5):
        config["post_request"](worker, request, {}, None)
    assert gc.get_freeze_count() == 0


def test_the_settings_import_nothing_but_the_standard_library():
    tree = ast.parse(CONFIG.read_text(encoding="utf-8"))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module)])
    }
    assert imported == {"gc"}
