"""The built wheel is a working package: lexicon and prompts travel as package data.

A checkout finds ``index/lexicon.toml`` and ``prompts/*.txt`` beside the code, so a
wheel that leaves them out passes every other test and fails only once installed.
This test builds the wheel, installs it with no dependencies into a fresh venv whose
only other path entry is this venv's site-packages (read as a plain path, so the
editable install of the checkout is not loaded), and answers one question from a
directory outside the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(command: list[str], cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, f"{command[:4]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the files git would commit.

    setuptools builds in the source folder, and a ``build/lib`` left there would carry
    modules that no longer exist into the next wheel; a copy keeps the checkout clean
    and the wheel true to the tree.
    """
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    listed = _run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT)
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)], cwd=out)
    (built,) = out.glob("shop_assistant-*.whl")
    return built


def test_the_wheel_holds_the_lexicon_the_prompts_and_every_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {"index/lexicon.toml", "prompts/system.txt", "prompts/phrase.txt"}
    data.add("assistant/evaluation/answers/phrases.toml")  # the eval question wording
    assert data <= names
    inits = [*ROOT.glob("index/**/__init__.py"), *ROOT.glob("assistant/**/__init__.py")]
    packages = {p.parent.relative_to(ROOT).as_posix() for p in inits} | {"prompts"}
    assert {f"{package}/__init__.py" for package in packages} <= names
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)


def test_an_installed_wheel_answers_a_question(
    wheel: Path, small_catalog: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python)]
    _run([*pip, "install", "--no-deps", "--quiet", str(wheel)], cwd=tmp_path)
    site = _run([str(python), "-c", "import site; print(site.getsitepackages()[0])"], tmp_path)
    # The dependencies (torch, faiss, the offline models) come from this venv, as a path
    # line: a .pth line that is a path does not run this venv's own .pth files.
    (Path(site.strip()) / "deps.pth").write_text(sysconfig.get_paths()["purelib"])

    where = _run(
        [str(python), "-c", "import assistant, index, prompts; print(assistant.__file__)"],
        cwd=tmp_path,
    )
    assert Path(where.strip()).is_relative_to(venv), where

    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOP_")}
    command = [str(python), "-m", "assistant", "ask", "--json", "--offline", "--llm", "none"]
    command += ["--catalog", str(small_catalog), "--image-embedder", "visual"]
    command += ["which backpacks do you have?"]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert [p["name"] for p in answer["products"]][:1] == ["Canyon Travel Backpack"]
    assert "Canyon Travel Backpack" in answer["answer"]
    # Not a checkout: the index goes under the folder it ran in, not into site-packages.
    assert len(list((tmp_path / ".index").glob("shop-*"))) == 1
    assert not list(venv.rglob(".index"))
