"""The CSV loader's contract (docs/data.md): channels, windows, labels, paths."""

import numpy as np
import pytest

from tests.cli.test_bad_input import assert_clean_error
from tests.conftest import REPO, run_cli
from toolchain.recipes.data import load
from toolchain.recipes.data.dataset import DataError


def write(tmp_path, lines: list[str], name: str = "log.csv"):
    (tmp_path / name).write_text("\n".join(lines) + "\n")
    return tmp_path / name


def windowed(n_windows: int = 10, rows: int = 4, extra: str = "") -> list[str]:
    head = "timestamp,window,label,ax,ay" + extra
    return [head] + [f"{w * 100 + i},{w},{'up' if w % 2 else 'down'},{w},{i}" + ("," + str(w) if extra else "")
                     for w in range(n_windows) for i in range(rows)]


def test_timestamp_is_ignored_and_path_is_relative_to_the_recipe(tmp_path, capsys):
    write(tmp_path, windowed())
    d = load("csv", seed=0, test_fraction=0.2, base_dir=tmp_path, path="log.csv", steps=5)
    assert d.labels == ["down", "up"] and d.x_train.shape[1:] == (5, 2)
    assert (d.x_train[:, 4] == 0).all()  # padded past the 4 recorded rows
    err = capsys.readouterr().err
    assert "ignored columns: timestamp" in err and "per class: down 5, up 5" in err


def test_columns_choose_the_channels(tmp_path):
    write(tmp_path, windowed(extra=",gz"))
    d = load("csv", seed=0, base_dir=tmp_path, path="log.csv", steps=4, columns=["gz", "ax"])
    x = np.concatenate([d.x_train, d.x_test])
    assert x.shape[1:] == (4, 2) and np.all(x[:, :, 0] == x[:, :, 1])  # gz and ax both hold the window number


def test_continuous_log_is_windowed_and_mixed_windows_dropped(tmp_path, capsys):
    lines = ["t,label,ax"] + [f"{i},{'walk' if i < 40 else 'run'},{i}" for i in range(80)]
    write(tmp_path, lines)
    d = load("csv", seed=0, base_dir=tmp_path, path="log.csv", window_length=10, stride=5)
    x = np.concatenate([d.x_train, d.x_test])
    # starts 0, 5, ..., 70: the one at 35 spans the change at row 40
    assert x.shape == (14, 10, 1) and d.labels == ["run", "walk"]
    assert "dropped 1 spanning a label change" in capsys.readouterr().err


@pytest.mark.parametrize("lines, needle", [
    (["window,label,ax", "0,up,1", "0,down,2", "1,up,3", "1,up,4"], "window '0' (lines 2-3) has rows labelled down, up"),
    (["window,label,ax", "0,up,x"], "log.csv:2: column 'ax' is not a number ('x')"),
    (["label,ax", "up,1"], "no 'window' column and [data.args] sets no window_length"),
])
def test_bad_logs(tmp_path, lines, needle):
    write(tmp_path, lines)
    with pytest.raises(DataError) as e:
        load("csv", seed=0, base_dir=tmp_path, path="log.csv", steps=2)
    assert needle in str(e.value)


def test_unknown_loader_argument(tmp_path):
    write(tmp_path, windowed())
    with pytest.raises(DataError, match="takes no argument 'step'.*steps"):
        load("csv", seed=0, base_dir=tmp_path, path="log.csv", step=100)


def recipe(tmp_path, csv_lines: list[str]):
    folder = tmp_path / "myimu"
    folder.mkdir()
    write(folder, csv_lines)
    (folder / "recipe.toml").write_text('name = "myimu"\n[data]\nloader = "csv"\nargs = { path = "log.csv", steps = 4 }\n'
                                        "[train]\nepochs = 1\n")
    (folder / "model.py").write_text((REPO / "models" / "gesture" / "model.py").read_text())
    return folder


def test_mistyped_label_is_named_not_a_traceback(tmp_path):
    lines = windowed(12)
    # every row of window 9 mislabelled: one sample of a class nobody meant
    folder = recipe(tmp_path, [line.replace(",up,", ",uup,") if line.split(",")[1] == "9" else line for line in lines])
    r = run_cli("train", "--model", str(folder), build=tmp_path / "build")
    assert_clean_error(r, "class 'uup' (1) has fewer than 2 samples", "a typo in a label?")
