"""Names that cannot drift: every repository path named in docs/, README.md, the board and recipe files, the
set-up files and the code's comments and docstrings (toolchain/, firmware/, tests/, scripts/) exists.

A token counts as a path when it has a `/` and starts with a folder of the repository (`toolchain/aot/fuse.py`,
`bench/run.py`), or is a file name with an extension we use (`compile_steps.py`). A path from the repository
root (`toolchain/`, `firmware/` and the like) must exist as written; a shorter one (`aot/fuse.py`,
`kernels/conv.h`) must end some path of the repository; a bare file name must be the name of one of its files.
Placeholders (`<model>`, `*`), the build tree (`build/<model>/<board>/`, not a module), `../shared` beside the
repo, the files the toolchain writes (WRITTEN) and other projects' files (ELSEWHERE) are not checked.
"""

import ast
import io
import re
import subprocess
import tokenize
from pathlib import Path

import pytest

from toolchain import harness_protocol, manifest, paths

REPO = Path(__file__).resolve().parents[2]
ROOTS = ("toolchain", "firmware", "tests", "scripts", "docs", "models", ".ci")  # named from the repo root only
SCANNED = ("docs", "README.md", "boards", "models", "toolchain", "firmware", "tests", "scripts", ".ci", "setup.sh",
           "pyproject.toml", "constraints.txt")

# files the toolchain writes into the build tree or a generated project, named in docs and comments
WRITTEN = {paths.BENCH_FILE, paths.PROFILE_FILE, paths.STREAM_FILE, paths.MONITOR_FILE, paths.VALIDATE_FILE,
           paths.PERSONALIZE_FILE, "tm_personalize_config.h",
           manifest.NAME, "sweep.json", "emulator.json", "plan.json", "model.c", "model.h", "model_ops.h",
           "model_data.cc", "model_data.h", "tm_frontend_config.h", "platformio.ini", "main.cpp", "cases.c",
           "test_input.h", "firmware.elf", "sweep.toml", *harness_protocol.headers()}
# other projects' files our docs and comments point at (TFLM, GCC, Arduino libraries, the MLPerf Tiny runner,
# ../shared beside the repo)
ELSEWHERE = {"create_tflm_tree.py", "SOURCE.md", "arm_acle.h", "Chirale_TensorFlowLite.h", "TensorFlowLite_ESP32.h",
             "device_under_test.py", "script.py", "STYLE.md", "DESIGN.md", "kernels/cmsis_nn/"}

EXTENSIONS = "py|c|h|cc|cpp|md|toml|json|ini|S|ld|sh|log|exp"  # not .tflite: the user's models go anywhere
TOKEN = re.compile(r"(?<![\w./<>{}*$:@-])((?:\.\./)?[A-Za-z_.][\w.-]*(?:/[\w.<>*{}-]+)+/?|[\w-]+\.(?:%s))(?![\w/])"
                   % EXTENSIONS)
HAS_EXTENSION = re.compile(r"\.(?:%s)$" % EXTENSIONS)


def repo_files() -> list[str]:
    r = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("not a git checkout: the repository's files are unknown")
    return [f for f in r.stdout.splitlines() if (REPO / f).is_file()]


class Tree:
    """The repository's files and folders, and whether a token names one of them."""

    def __init__(self, files: list[str]):
        self.files = set(files)
        self.dirs = {p.as_posix() for f in files for p in Path(f).parents if p != Path(".")}
        self.names = {Path(f).name for f in files}
        self.folders = {part for f in files for part in Path(f).parts[:-1]}
        self.everything = self.files | self.dirs

    def exists(self, token: str) -> bool:
        t = token.rstrip(".").rstrip("/")
        if any(c in t for c in "<*{") or t.startswith(("../", "/")) or token.rstrip(".") in ELSEWHERE:
            return True
        if "/" not in t and token.rstrip(".").endswith("/"):
            return t not in ROOTS or t in self.dirs  # a folder by its name alone: a root, or a word (src/)
        if "/" not in t:
            return t in self.names or t in WRITTEN or t in ELSEWHERE
        first = t.split("/")[0]
        if first in ROOTS:
            return t in self.everything or f"{t}.py" in self.files
        if first not in self.folders:
            return True  # not a path of ours: I/O, KB/s
        if first == "build" and not t.endswith(".py"):
            return True  # the build tree, build/<model>/<board>/
        if not (HAS_EXTENSION.search(t) or token.rstrip(".").endswith("/")):
            return True  # train/test, c/4: words, not files
        return any(x == t or x.endswith("/" + t) for x in self.everything)


def texts(path: Path) -> list[tuple[int, str]]:
    """(line, text) of what a reader reads as prose: a Markdown file whole, a code file's comments and docstrings."""
    src = path.read_text(errors="replace")
    kind = Path(path.stem).suffix if path.suffix == ".j2" else path.suffix  # a template: what it renders to
    if kind == ".md":
        return list(enumerate(src.splitlines(), 1))
    if kind == ".py":
        found = [(t.start[0], t.string) for t in tokenize.generate_tokens(io.StringIO(src).readline)
                 if t.type == tokenize.COMMENT]
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and \
                    (doc := ast.get_docstring(node, clean=False)):
                found.append((node.body[0].lineno, doc))
        return found
    if kind in (".c", ".h", ".cc", ".cpp", ".S", ".ld"):
        return [(src.count("\n", 0, m.start()) + 1, m.group(0)) for m in re.finditer(r"//[^\n]*|/\*.*?\*/", src, re.S)]
    if kind in (".toml", ".ini", ".sh", ".txt") or src.startswith("#!"):
        return [(i, line[line.index("#"):]) for i, line in enumerate(src.splitlines(), 1) if "#" in line]
    return []


def stale_paths(files: list[str]) -> list[str]:
    tree = Tree(files)
    scanned = [f for f in sorted(files) if f.split("/")[0] in SCANNED]
    return [f"{f}:{line}: {m.group(1)}" for f in scanned for line, text in texts(REPO / f)
            for m in TOKEN.finditer(text) if not tree.exists(m.group(1))]


def test_the_checker_tells_a_stale_path_from_prose():
    tree = Tree(["toolchain/device/litert_runner.py", "toolchain/bench/run.py", "toolchain/build/compile_steps.py",
                 "firmware/runtime/kernels/conv.h", "tests/aot/random_models.py", "scripts/runtimes.py"])
    stale = ["toolchain/pi/litert_runner.py", "bench/qemu_m4.py", "tail.py", "tests/aot/harness.py", "kernels/dsp/x.c",
             "toolchain/build/tail.py", "build/tail.py"]
    fine = ["toolchain/device/litert_runner.py", "bench/run.py", "compile_steps.py", "kernels/conv.h",
            "firmware/runtime/", "tests/aot/random_models", "scripts/runtimes.py.", "I/O", "KB/s", "train/test",
            "build/<model>/<board>/", "build/digits/qemu-m4/", "../shared/models/kws_ref_model.tflite", "bench.json",
            "boards/*.toml", "create_tflm_tree.py"]
    assert [t for t in stale if tree.exists(t)] == []
    assert [t for t in fine if not tree.exists(t)] == []
    found = [m.group(1) for m in TOKEN.finditer("see toolchain/aot/fuse.py, (bench/run.py) and `tail.py`; I/O")]
    assert found == ["toolchain/aot/fuse.py", "bench/run.py", "tail.py", "I/O"]


def test_every_path_named_in_docs_and_comments_exists():
    stale = stale_paths(repo_files())
    assert not stale, "paths that do not exist:\n" + "\n".join(stale)


def packages() -> list[str]:
    """Every package of toolchain/ and every folder of firmware/, as paths from the repo root."""
    found = [p.parent for p in (REPO / "toolchain").rglob("__init__.py") if p.parent.name != "toolchain"]
    found += [p for p in (REPO / "firmware").iterdir() if p.is_dir()]
    return sorted(f"{p.relative_to(REPO).as_posix()}/" for p in found)


def test_the_architecture_page_covers_every_package_with_a_file_to_read_first():
    page = (REPO / "docs" / "architecture.md").read_text()
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([\w/.-]+/)` \|[^|]*\| ([^|]*) \|$", page, re.M)}
    assert [p for p in packages() if p not in rows] == [], "packages docs/architecture.md's table leaves out"
    assert {p: first for p, first in rows.items() if "`" not in first} == {}, "a row without a file to read first"
    modules = [p.name for p in (REPO / "toolchain").glob("*.py") if p.name != "__init__.py"]
    assert [m for m in modules if m not in page] == [], "modules directly under toolchain/ the page leaves out"
    diagram = page[page.index("## Data flow"):page.index("## Every package")]
    named = set(re.findall(r"([\w/]+/)\s+\[", diagram))
    assert [p for p in packages() if p.startswith("toolchain/") and p.removeprefix("toolchain/") not in named] == [], \
        "packages the data-flow picture leaves out"


def test_readme_layout_names_every_package_the_architecture_page_does():
    readme = (REPO / "README.md").read_text()
    layout = readme[readme.index("## Layout"):]
    layout = layout[:layout.index("```", layout.index("```") + 3)]
    top = [p for p in packages() if p.count("/") == 2]  # toolchain/<pkg>/ and firmware/<folder>/
    assert [p for p in top if f"{p.split('/')[1]}/" not in layout] == []
    modules = [p.stem for p in (REPO / "toolchain").glob("*.py") if not p.stem.startswith("__")]
    assert [m for m in modules if m not in layout] == []
