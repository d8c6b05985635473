"""The data files' parsed documents, kept between runs (issue 25, the CLI's start), read back as
tomllib parses them, parsed afresh when a file changes, and never shared between callers."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from app import toml_data

DATA = sorted((Path(__file__).resolve().parents[1] / "app").glob("*/**/data/*.toml"))


@pytest.fixture
def writes_caches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


@pytest.mark.usefixtures("writes_caches")
@pytest.mark.parametrize("shipped", DATA, ids=[p.name for p in DATA])
def test_a_kept_document_is_the_parsed_file(shipped: Path, tmp_path: Path) -> None:
    path = tmp_path / shipped.name
    path.write_bytes(shipped.read_bytes())
    expected = tomllib.loads(shipped.read_text(encoding="utf-8"))
    assert toml_data.load(path) == expected  # parsed, and kept
    assert (tmp_path / "__pycache__" / f"{shipped.name}.marshal").exists()
    kept = toml_data.load(path)
    assert kept == expected
    assert repr(kept) == repr(expected)  # the same types and key order, floats to the bit


@pytest.mark.usefixtures("writes_caches")
def test_an_edited_file_is_parsed_afresh_and_each_caller_gets_its_own(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('version = "1"\n[a]\nb = 1.5\n', encoding="utf-8")
    first = toml_data.load(path)
    first.pop("version")  # as load_constants does: the next caller is not affected
    assert toml_data.load(path) == {"version": "1", "a": {"b": 1.5}}
    path.write_text('version = "2"\n', encoding="utf-8")
    assert toml_data.load(path) == {"version": "2"}


@pytest.mark.usefixtures("writes_caches")
def test_a_broken_or_unwritable_cache_costs_only_the_parse(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text("a = 1\n", encoding="utf-8")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.toml.marshal").write_bytes(b"not marshal")
    assert toml_data.load(path) == {"a": 1}
    (tmp_path / "__pycache__" / "x.toml.marshal").unlink()
    (tmp_path / "__pycache__").chmod(0o500)
    try:
        assert toml_data.load(path) == {"a": 1}
    finally:
        (tmp_path / "__pycache__").chmod(0o700)


def test_nothing_is_kept_where_python_writes_no_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    path = tmp_path / "x.toml"
    path.write_text("a = 1\n", encoding="utf-8")
    assert toml_data.load(path) == {"a": 1}
    assert not (tmp_path / "__pycache__").exists()


@pytest.mark.usefixtures("writes_caches")
def test_an_image_build_keeps_every_data_file(tmp_path: Path) -> None:
    """The Dockerfile runs `python -m app.toml_data` once: each data folder's files are kept."""
    for shipped in DATA[:3]:
        folder = tmp_path / shipped.parent.parent.name / "data"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / shipped.name).write_bytes(shipped.read_bytes())
    assert toml_data.warm(tmp_path) == 3
    assert len(list(tmp_path.glob("*/data/__pycache__/*.toml.marshal"))) == 3
