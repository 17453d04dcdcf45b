"""Lines per file and per folder for the project's own code, flagging files
past the size where splitting usually pays (Python ~300 lines, C ~400).

    .venv/bin/python scripts/file_sizes.py [--all]
"""

import argparse
import subprocess
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LIMITS = {".py": 300, ".c": 400, ".h": 400, ".cpp": 400}


def code_lines(path: Path) -> int:
    """Non-blank lines that are not only a comment."""
    n = 0
    for line in path.read_text(errors="replace").splitlines():
        s = line.strip()
        if s and not s.startswith(("#", "//")):
            n += 1
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="list every file, not only the large ones")
    args = ap.parse_args()
    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    per_dir: dict[str, int] = defaultdict(int)
    rows = []
    for f in files:
        p = REPO / f
        if p.suffix in LIMITS and p.is_file():
            n = code_lines(p)
            per_dir[str(Path(f).parent)] += n
            if args.all or n > LIMITS[p.suffix]:
                rows.append((n, f, " over" if n > LIMITS[p.suffix] else ""))
    for n, f, flag in sorted(rows, reverse=True):
        print(f"{n:6d}  {f}{flag}")
    print()
    for d, n in sorted(per_dir.items(), key=lambda kv: -kv[1]):
        print(f"{n:6d}  {d}/")
    print(f"{sum(per_dir.values()):6d}  total")


if __name__ == "__main__":
    main()
