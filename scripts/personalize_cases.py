"""The worked cases of docs/personalize.md, measured on the device: `toolchain personalize` on each evaluation
folder of scripts/personalize_data.py (made first when missing), its personalize.json written into the
doc between the `personalize-cases:begin/end` markers (the rest of the file is left as it is).

    python scripts/personalize_cases.py [--board qemu-m4] [--docs]

1. keywords (the keywords_voices backbone), a new speaker: Flite's awb voice, 5 clips per class learned by SGD,
   15 held back;
2. keywords, a new class: "marvin" imprinted from 5 clips, the old classes' clips held back;
3. gesture, a re-mounted sensor: every BasicMotions window turned by z90x30, 5 per class learned by SGD.
The defaults were chosen on validation folders (scripts/personalize_prototype.py choose); these folders are
measured with them, never tuned on.
"""

import argparse
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

from docs_section import commands, machine, replace_section, run

REPO = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- personalize-cases:begin -->", "<!-- personalize-cases:end -->"
DATA = Path("build") / "cache" / "personalize"
CASES = (  # (title, data case and its folder, toolchain personalize arguments)
    ("Keywords, a new speaker (Flite awb), SGD", ("speaker", "speaker-awb"),
     ["--model", "keywords_voices", "--shots", "5"]),
    ("Keywords, a new class (\"marvin\") from 5 clips, imprint", ("new-class", "new-class-marvin"),
     ["--model", "keywords_voices", "--shots", "5", "--mode", "imprint", "--new-class", "marvin"]),
    ("Gesture, a re-mounted sensor (axes turned z90x30), SGD", ("rotated", "rotated-z90x30"),
     ["--model", "gesture", "--shots", "5"]),
)


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def section(title: str, cmd: str, r: dict) -> list[str]:
    before, after = r["accuracy"]["before"], r["accuracy"]["after"]
    lines = [f"**{title}.** `{cmd}`", "", "| class | held back | before | after |", "|---|---|---|---|"]
    for label, b in before["per_class"].items():
        a = after["per_class"][label]
        lines.append(f"| {label} | {b['held']} | {pct(b['accuracy'])} | {pct(a['accuracy'])} |")
    lines.append(f"| **all** | **{sum(b['held'] for b in before['per_class'].values())}** | "
                 f"**{pct(before['accuracy'])}** | **{pct(after['accuracy'])}** |")
    t, c, m, rep = r["test_split"], r["cost"], r["memory"], r["replay"]
    work = (f"imprinting from {c['steps']} examples" if r["mode"] == "imprint" else
            f"{c['steps']:,} SGD steps, {c['instructions_per_step']:,} a step")
    lines += ["", f"The recipe's test split ({t['samples']} samples, host): {pct(t['before'])} before, "
                  f"{pct(t['after'])} after. Update: {c['update_instructions']:,} instructions "
                  f"({work}). Extra RAM "
                  f"{m['extra_ram_bytes']:,} B. Host replay: head "
                  f"{'bit for bit' if rep['head_identical'] else 'DIFFERS'}, embeddings "
                  f"{'bit for bit' if rep.get('embeddings_identical') else 'DIFFER'}.", ""]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--board", default="qemu-m4")
    ap.add_argument("--docs", action="store_true", help="write the tables into docs/personalize.md")
    a = ap.parse_args()
    lines, cmds = [BEGIN, f"Measured {date.today().isoformat()} on {a.board}: {machine()}.", ""], []
    for title, (case, folder), args in CASES:
        if not (REPO / DATA / folder).is_dir():
            subprocess.run([sys.executable, str(REPO / "scripts" / "personalize_data.py"), case], cwd=REPO, check=True)
        cmd, r = run(["personalize", "--board", a.board, "--data", str(DATA / folder), *args])
        cmd = cmd.removesuffix(" --json")
        cmds.append(cmd)
        # kept per case: the next case of the same model rewrites that model's personalize.json
        (REPO / DATA / f"result-{folder}.json").write_text(json.dumps(r, indent=1))
        lines += section(title, cmd, r)
        print(f"{title}: held back {pct(r['accuracy']['before']['accuracy'])} -> {pct(r['accuracy']['after']['accuracy'])}, "
              f"test split {pct(r['test_split']['before'])} -> {pct(r['test_split']['after'])}")
    lines += commands(["python scripts/personalize_data.py speaker", "python scripts/personalize_data.py new-class",
                       "python scripts/personalize_data.py rotated", *cmds]) + [END]
    if a.docs:
        replace_section(REPO / "docs" / "personalize.md", BEGIN, END, lines)


if __name__ == "__main__":
    main()
