"""Train three small PyTorch models on the project's own data and export them to ONNX
(models/<name>_pt/net.onnx), for the bring-your-own-model path (docs/byom.md).

PyTorch is not a dependency of the project: run this with a Python that has torch
and the project's packages, e.g. a separate venv with `pip install torch==2.13.0`
and the project venv's site-packages on its path:

    PYTHONPATH=$PWD:<project venv site-packages> <torch venv>/bin/python scripts/torch_models.py digits

Each model sees the recipe's training split (same loader, seed 0 and test fraction as
the recipe), in PyTorch's channels-first layout; the script prints the PyTorch float
accuracy on the recipe's held-out split, which docs/byom.md compares with the int8
model on the device.
"""

import json
import sys
import tomllib
from pathlib import Path

import numpy as np
import torch
from torch import nn

from toolchain.recipes.data import load

ROOT = Path(__file__).resolve().parent.parent
SEED = 0


def digits_net(classes: int) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 32), nn.ReLU(), nn.Linear(32, classes))


def gesture_net(classes: int) -> nn.Module:
    return nn.Sequential(
        nn.Conv1d(6, 16, 5, stride=2), nn.ReLU(), nn.Conv1d(16, 16, 5, stride=2), nn.ReLU(),
        nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(16, classes))


def keywords_net(classes: int) -> nn.Module:
    """A DS-CNN: a strided convolution, then depthwise-separable blocks, global average pooling."""
    def block(c):
        return [nn.Conv2d(c, c, 3, padding=1, groups=c), nn.BatchNorm2d(c), nn.ReLU(),
                nn.Conv2d(c, c, 1), nn.BatchNorm2d(c), nn.ReLU()]
    c = 32
    return nn.Sequential(nn.Conv2d(1, c, (5, 3), stride=2, padding=(2, 1)), nn.BatchNorm2d(c), nn.ReLU(),
                         *block(c), *block(c), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, classes))


# name -> (recipe folder it takes its data from, network, epochs, batch size, learning rate)
MODELS = {
    "digits": ("digits", digits_net, 40, 32, 3e-3),
    "gesture": ("gesture", gesture_net, 150, 8, 3e-3),
    "keywords": ("keywords", keywords_net, 30, 32, 2e-3),
}


def channels_first(x: np.ndarray) -> np.ndarray:
    """The loaders give channels last (N, ..., C), or (N, frames, bands) features with no channel axis;
    PyTorch layers take (N, C, ...)."""
    return x[:, np.newaxis].copy() if x.ndim == 3 and x.shape[-1] > 8 else np.moveaxis(x, -1, 1).copy()


def train(name: str) -> dict:
    recipe, make, epochs, batch, lr = MODELS[name]
    cfg = tomllib.loads((ROOT / "models" / recipe / "recipe.toml").read_text())["data"]
    data = load(cfg["loader"], SEED, cfg.get("test_fraction", 0.2), base_dir=ROOT / "models" / recipe,
                **cfg.get("args", {}))
    torch.manual_seed(SEED)
    x, y = torch.from_numpy(channels_first(data.x_train)), torch.from_numpy(data.y_train.astype(np.int64))
    net = make(len(data.labels))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(epochs):
        net.train()
        for idx in torch.randperm(len(x)).split(batch):
            opt.zero_grad()
            nn.functional.cross_entropy(net(x[idx]), y[idx]).backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        pred = net(torch.from_numpy(channels_first(data.x_test))).argmax(1).numpy()
    out = ROOT / "models" / f"{name}_pt" / "net.onnx"
    out.parent.mkdir(exist_ok=True)
    # the TorchScript exporter folds BatchNorm into the convolutions in eval mode
    torch.onnx.export(net, x[:1], out, input_names=["input"], output_names=["logits"], opset_version=17,
                      dynamo=False)
    return {"model": f"{name}_pt", "torch": torch.__version__, "float_accuracy": float(np.mean(pred == data.y_test)),
            "test_samples": int(len(pred)), "params": sum(p.numel() for p in net.parameters())}


if __name__ == "__main__":
    for arg in sys.argv[1:] or list(MODELS):
        print(json.dumps(train(arg)))
