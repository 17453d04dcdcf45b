"""All host traffic goes through DeviceClient's public methods: no code outside
toolchain/device/harness/client.py touches one of its private members (found
with `ast`: its `_methods` and `self._attributes`), by attribute or by name."""

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CLIENT = REPO / "toolchain" / "device" / "harness" / "client.py"


def private_members() -> set[str]:
    cls = next(n for n in ast.parse(CLIENT.read_text()).body if isinstance(n, ast.ClassDef) and n.name == "DeviceClient")
    found = set()
    for n in ast.walk(cls):
        if isinstance(n, ast.FunctionDef) and n.name.startswith("_") and not n.name.startswith("__"):
            found.add(n.name)
        elif isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self":
            if n.attr.startswith("_") and not n.attr.startswith("__"):
                found.add(n.attr)
    return found


def python_files() -> list[Path]:
    return [p for d in ("toolchain", "scripts", "tests") for p in (REPO / d).rglob("*.py") if p not in (CLIENT, Path(__file__).resolve())]


def test_the_client_has_private_members_to_guard():
    assert {"_readline", "_drain", "_pending"} <= private_members()


def test_no_code_outside_the_client_touches_its_private_members():
    names = "|".join(sorted(private_members()))
    use = re.compile(rf"\.({names})\b|[\"']({names})[\"']")
    offenders = [f"{p.relative_to(REPO)}:{i}: {line.strip()}" for p in python_files()
                 for i, line in enumerate(p.read_text().splitlines(), 1) if use.search(line)]
    assert offenders == [], "use DeviceClient's public methods:\n" + "\n".join(offenders)
