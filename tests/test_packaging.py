"""Packaging: the wheel and the Scrapyd egg carry the crawler and every file it reads at run time.

Both are built offline from a copy of the project's files (what git tracks, and new files it does
not ignore), never from the working tree itself: the wheel with ``pip wheel . --no-deps
--no-build-isolation`` (the venv's setuptools, checked against ``[build-system]``: nothing is
downloaded), the egg with ``scrapyd-deploy --build-egg``, as the README says. Each is then used away
from the source tree: the wheel installed in a new virtual environment (its dependencies seen
through a ``.pth`` line naming this venv's site-packages), the egg run the way Scrapyd runs one
(``python -m scrapyd.runner``, the egg in Scrapyd's egg storage, ``SCRAPY_SETTINGS_MODULE`` from
the egg's entry point) - zipped, so the registry, the topics and the demo sites are read through
``importlib.resources``. Every server is on 127.0.0.1 (the demo crawl turns the image store off:
the demo pages' images are on public hosts).
"""

from __future__ import annotations

import ast
import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib.metadata import packages_distributions, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from crawler.extraction.topics import load_vocabulary
from crawler.registry import load_registry
from tests.crawling import REPO, SEAL_KEY_HEX

PROJECT = "newscrawler"  # the distribution (pyproject.toml)
_CFG = configparser.ConfigParser()
_CFG.read(REPO / "scrapy.cfg")
SCRAPYD_PROJECT = _CFG["deploy"]["project"]  # the project's name on a Scrapyd server (scrapy.cfg [deploy])
SPIDERS = ["businessinsider", "news", "techinasia", "technode", "techstory"]
BIN = Path(sys.executable).parent
# What a subprocess must not inherit: the source tree on its path, or a project chosen for it.
UNSET = ("PYTHONPATH", "PYTHONHOME", "SCRAPY_SETTINGS_MODULE", "SCRAPY_PROJECT", "SCRAPYD_EGG_VERSION")


def run(command: list[str], cwd: Path, timeout: float = 240, **env: str) -> subprocess.CompletedProcess:
    """``command`` in ``cwd`` without the source tree on its path; fails the test with its output."""
    environment = {name: value for name, value in os.environ.items() if name not in UNSET}
    result = subprocess.run(
        command, cwd=cwd, env={**environment, **env}, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, (
        f"{command} exited {result.returncode}\n{result.stdout[-3000:]}{result.stderr[-5000:]}"
    )
    return result


def copy_project(target: Path) -> Path:
    """The project's files (tracked, and untracked but not ignored: what a commit of now would hold)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file deleted in the working tree is not copied
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def package_files(project: Path) -> set[str]:
    """Every file of the ``crawler`` package in a copy of the project, as archive names."""
    return {path.relative_to(project).as_posix() for path in (project / "crawler").rglob("*") if path.is_file()}


def requirements(name: str) -> list[Requirement]:
    lines = (REPO / name).read_text(encoding="utf-8").splitlines()
    return [Requirement(line.split("#", 1)[0].strip()) for line in lines if line.split("#", 1)[0].strip()]


def dist_info(names: set[str]) -> str:
    """The wheel's ``<name>-<version>.dist-info`` folder."""
    (folder,) = {name.split("/")[0] for name in names if name.split("/")[0].endswith(".dist-info")}
    assert folder.startswith(f"{PROJECT}-")
    return folder


# --- the wheel ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_wheel(tmp_path_factory) -> tuple[Path, set[str]]:
    """The wheel of a copy of the project, and the package files of that copy."""
    project = copy_project(tmp_path_factory.mktemp("wheel-project"))
    build_system = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]
    for requirement in map(Requirement, build_system["requires"]):  # what an isolated build would download
        assert requirement.specifier.contains(version(requirement.name)), f"this venv lacks {requirement}"
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "--no-index", "-w"]
    run([*command, str(out)], project)
    (wheel,) = out.glob(f"{PROJECT}-*.whl")
    return wheel, package_files(project)


def test_the_wheel_holds_the_crawler_package_and_every_bundled_file(built_wheel):
    wheel, expected = built_wheel
    names = {name for name in zipfile.ZipFile(wheel).namelist() if not name.endswith("/")}
    package = {name for name in names if not name.startswith(f"{dist_info(names)}/")}
    assert package == expected  # nothing left out, and no tests, tools, bench, examples or docs
    for bundled in ("crawler/providers.yaml", "crawler/topics.yaml", "crawler/demo/sites/technode/_routes.yaml"):
        assert bundled in package


def test_the_wheel_depends_on_the_runtime_pins_and_offers_the_dev_extra(built_wheel):
    wheel, _ = built_wheel
    archive = zipfile.ZipFile(wheel)
    folder = dist_info(set(archive.namelist()))
    metadata = archive.read(f"{folder}/METADATA").decode()
    required = [
        Requirement(line.split(":", 1)[1]) for line in metadata.splitlines() if line.startswith("Requires-Dist:")
    ]
    runtime = [str(r) for r in required if r.marker is None]
    dev = [str(r).split(";")[0] for r in required if r.marker is not None]
    assert runtime == [str(r) for r in requirements("requirements-runtime.txt")]
    assert dev == [str(r) for r in requirements("requirements-dev.txt")]
    assert all(str(r.specifier).startswith("==") for r in required)  # exact pins
    assert "Provides-Extra: dev" in metadata
    entry_points = archive.read(f"{folder}/entry_points.txt").decode()
    assert "[scrapy]\nsettings = crawler.settings" in entry_points


def test_the_installed_wheel_reads_its_registry_topics_and_sites(built_wheel, tmp_path):
    wheel, _ = built_wheel
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)],
        tmp_path,
    )
    # The dependencies: this venv's site-packages, after the new venv's own (where the crawler is).
    site_packages = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    here = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site_packages / "dependencies.pth").write_text("".join(f"{path}\n" for path in sorted(here)))
    script = """
import json
import crawler
from scrapy.utils.project import get_project_settings
from crawler.demo.server import SITES, load_routes, site_root
from crawler.extraction.topics import load_vocabulary
from crawler.registry import load_registry

settings = get_project_settings()
registry = load_registry(settings.get("PROVIDER_REGISTRY"))
print(json.dumps({
    "package": crawler.__file__,
    "registry": settings.get("PROVIDER_REGISTRY"),
    "providers": [provider.key for provider in registry],
    "labels": sorted(set(load_vocabulary().alias_to_label.values())),
    "sites": sorted(path.name for path in SITES.iterdir() if path.is_dir()),
    "routes": len(load_routes(site_root("technode"))),
}))
"""
    result = run([str(python), "-c", script], tmp_path, SCRAPY_SETTINGS_MODULE="crawler.settings")
    found = json.loads(result.stdout)
    assert Path(found["package"]).is_relative_to(site_packages)  # the installed package, not the source tree
    assert Path(found["registry"]).is_relative_to(site_packages)
    assert found["providers"] == [provider.key for provider in load_registry()]
    assert found["labels"] == sorted(set(load_vocabulary().alias_to_label.values()))
    assert found["sites"] == ["businessinsider", "techinasia", "technode", "techstory"]
    assert found["routes"] > 0
    listed = run([str(python), "-m", "scrapy", "list"], tmp_path, SCRAPY_SETTINGS_MODULE="crawler.settings")
    assert listed.stdout.split() == SPIDERS


# --- the Scrapyd egg ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_egg(tmp_path_factory) -> tuple[Path, set[str]]:
    """``scrapyd-deploy --build-egg`` in a copy of the project: the egg, and the package files of the copy."""
    deploy = BIN / "scrapyd-deploy"
    if not deploy.exists():
        pytest.fail(f"{deploy} is missing: install the requirements (.venv/bin/pip install -r requirements.txt)")
    project = copy_project(tmp_path_factory.mktemp("egg-project"))
    egg = tmp_path_factory.mktemp("egg") / f"{PROJECT}.egg"
    run([str(deploy), "--build-egg", str(egg)], project)
    return egg, package_files(project)


@pytest.fixture(scope="module")
def scrapyd_home(built_egg, tmp_path_factory) -> Path:
    """A folder like a Scrapyd server's: its ``scrapyd.conf`` and its egg storage, holding the egg as version r1."""
    egg, _ = built_egg
    home = tmp_path_factory.mktemp("scrapyd")
    (home / "eggs" / SCRAPYD_PROJECT).mkdir(parents=True)
    shutil.copy2(egg, home / "eggs" / SCRAPYD_PROJECT / "r1.egg")
    (home / "scrapyd.conf").write_text(f"[scrapyd]\neggs_dir = {home / 'eggs'}\n")
    return home


def scrapyd_runner(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """What Scrapyd starts for a job (``listspiders.json``: ``list``; ``schedule.json``: ``crawl``)."""
    return run(
        [sys.executable, "-m", "scrapyd.runner", *args], home, SCRAPY_PROJECT=SCRAPYD_PROJECT, HOME=str(home), **env
    )


def test_the_egg_holds_the_crawler_package_and_every_bundled_file(built_egg):
    egg, expected = built_egg
    names = {name for name in zipfile.ZipFile(egg).namelist() if not name.endswith("/")}
    assert {name for name in names if not name.startswith("EGG-INFO/")} == expected
    assert zipfile.ZipFile(egg).read("EGG-INFO/entry_points.txt").decode().split() == [
        "[scrapy]",
        "settings",
        "=",
        "crawler.settings",
    ]


def test_scrapyd_lists_the_spiders_of_the_egg(built_egg, scrapyd_home):
    egg, _ = built_egg
    result = scrapyd_runner(scrapyd_home, "list")
    assert result.stdout.split() == SPIDERS
    # The code that ran is the egg's (zipped: its files are read through importlib.resources).
    script = (
        "import sys; from scrapyd.runner import activate_egg; activate_egg(sys.argv[1]);"
        "import os, crawler, crawler.settings as s; print(crawler.__file__, s.PROVIDER_REGISTRY,"
        " os.environ['SCRAPY_SETTINGS_MODULE'])"
    )
    package, registry, settings_module = run([sys.executable, "-c", script, str(egg)], scrapyd_home).stdout.split()
    assert package == f"{egg}/crawler/__init__.py"
    assert registry == f"{egg}/crawler/providers.yaml"
    assert settings_module == "crawler.settings"


@pytest.mark.e2e
def test_scrapyd_runs_a_demo_crawl_from_the_egg(scrapyd_home, tmp_path):
    work, temporary = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()  # Scrapyd makes the log's folder (logs_dir); the crawler, the others
    temporary.mkdir()
    settings = {
        # No scrapy.cfg in an egg: PROJECT_DIR is the folder every relative path setting is taken from.
        "PROJECT_DIR": work,
        "STATS_FILE": "stats.json",
        "LOG_FILE": work / "crawl.log",  # as Scrapyd sets it (logs_dir)
        "LOG_LEVEL": "INFO",
    }
    command = ["crawl", "technode", "-a", "_job=packaging-test", "-a", "demo=1"]
    for name, value in settings.items():
        command += ["-s", f"{name}={value}"]
    before = sorted(path.name for path in scrapyd_home.iterdir())
    scrapyd_runner(scrapyd_home, *command, CRAWLER_SEAL_KEY=SEAL_KEY_HEX, TMPDIR=str(temporary))
    documents = sorted((work / "demo" / "output" / "technode.com").glob("*.md"))  # the demo's folders, in work
    assert len(documents) >= 10, (work / "crawl.log").read_text()[-5000:]
    assert documents[0].read_text(encoding="utf-8").startswith("---\n")
    stats = json.loads((work / "stats.json").read_text())
    assert stats["item_scraped_count"] == len(documents)
    assert stats["images/downloaded"] == len(documents) - 1  # served by the demo site (one has a placeholder)
    assert (work / "demo" / "state" / "records.sqlite").is_file()
    assert sorted(path.name for path in scrapyd_home.iterdir()) == before  # nothing written beside Scrapyd
    assert list(temporary.iterdir()) == []  # the demo site's temporary copy is removed at the end
    assert "Demo: serving " in (work / "crawl.log").read_text()


# --- the dependencies -----------------------------------------------------------------------------


def test_every_library_the_crawler_imports_is_a_runtime_dependency():
    imported: set[str] = set()
    for path in (REPO / "crawler").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.partition(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.partition(".")[0])
    third_party = sorted(name for name in imported - set(sys.stdlib_module_names) if name != "crawler")
    distributions = packages_distributions()
    pinned = {canonicalize_name(r.name) for r in requirements("requirements-runtime.txt")}
    missing = {
        name: distributions.get(name)
        for name in third_party
        if not {canonicalize_name(d) for d in distributions.get(name, [])} & pinned
    }
    assert missing == {}, "imported by crawler/ but not in requirements-runtime.txt"
    included = [line for line in (REPO / "requirements.txt").read_text().splitlines() if line.startswith("-r ")]
    assert included == ["-r requirements-runtime.txt", "-r requirements-dev.txt"]
    assert not re.search(r"^[A-Za-z]", (REPO / "requirements.txt").read_text(), re.M), (
        "a pin in requirements.txt would not reach the package: add it to requirements-runtime.txt or -dev.txt"
    )
