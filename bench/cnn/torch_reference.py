"""PyTorch reference side of the CNN throughput benchmark (bench/cnn/throughput.ts): the MNIST CNN of
src/models/cnn.ts (buildMnistCnn, default options) rebuilt in PyTorch and trained on the CPU the same way.

  .venv-bench/bin/python bench/cnn/torch_reference.py [--samples 512] [--repeats 3] [--threads N]
      prints one JSON line: setup (versions, threads, parameter count, warm-up) and every repeat's samples/s
  .venv-bench/bin/python bench/cnn/torch_reference.py --serve [--samples 512] [--threads N]
      prints the setup as one JSON line, then answers each "epoch" line on stdin with one JSON line (one timed
      epoch), so that throughput.ts can interleave these repeats with the tfjs ones; exits at end of input.

Same as the tfjs model: Conv2D(32, 3x3, 'valid', relu) -> MaxPool(2) -> Conv2D(64, 3x3, 'valid', relu) ->
MaxPool(2) -> Flatten -> Dense(64, relu) -> Dense(10) + softmax; 121,930 parameters; Glorot-uniform kernels and
zero biases (the Keras/tfjs defaults); Adam(lr 1e-3, betas 0.9/0.999, eps 1e-7 as tfjs); sparse categorical
cross-entropy; batch 64, one epoch per repeat over uniform random images with labels i mod 10, no shuffling,
after one warm-up batch; the batch accuracy is computed too, as tfjs's fit does for its 'accuracy' metric.

Differences that are PyTorch's normal layout rather than a change of model: images are NCHW ([N, 1, 28, 28])
instead of NHWC, and the softmax is folded into the loss (cross_entropy on logits = log_softmax + NLL, which is
how PyTorch computes this loss) instead of a separate softmax layer followed by -log(p).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
import warnings

# numpy is not installed in .venv-bench (nothing here needs it); torch warns about that once at import.
warnings.filterwarnings("ignore", message="Failed to initialize NumPy")

import torch  # noqa: E402 (after the warning filter)
from torch import nn

BATCH = 64
LEARNING_RATE = 1e-3
TFJS_ADAM_EPSILON = 1e-7  # tfjs's default backend epsilon; PyTorch's default is 1e-8


def build_mnist_cnn() -> nn.Module:
    model = nn.Sequential(
        nn.Conv2d(1, 32, kernel_size=3),  # 'valid' padding, as tfjs's default: 28 -> 26
        nn.ReLU(),
        nn.MaxPool2d(2),  # 26 -> 13
        nn.Conv2d(32, 64, kernel_size=3),  # 13 -> 11
        nn.ReLU(),
        nn.MaxPool2d(2),  # 11 -> 5 (floor, as tfjs's 'valid' pooling)
        nn.Flatten(),
        nn.Linear(64 * 5 * 5, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )
    # Keras/tfjs initialise kernels Glorot-uniform and biases to zero; PyTorch's own default differs.
    for layer in model:
        if isinstance(layer, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


class Trainer:
    """One model, optimizer and random data set, built once; `epoch()` trains one timed pass over the data."""

    def __init__(self, samples: int):
        torch.manual_seed(7)
        self.model = build_mnist_cnn()
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=LEARNING_RATE, eps=TFJS_ADAM_EPSILON)
        self.loss_fn = nn.CrossEntropyLoss()
        self.x = torch.rand(samples, 1, 28, 28)
        self.y = torch.arange(samples) % 10
        self.samples = samples

    def train_batch(self, x: torch.Tensor, y: torch.Tensor) -> None:
        self.optimizer.zero_grad(set_to_none=True)
        logits = self.model(x)
        loss = self.loss_fn(logits, y)
        loss.backward()
        self.optimizer.step()
        # tfjs's fit reads the loss and the 'accuracy' metric back for its logs after every batch.
        with torch.no_grad():
            _ = (loss.item(), (logits.argmax(dim=1) == y).float().mean().item())

    def warm_up(self) -> float:
        t0 = time.perf_counter()
        self.train_batch(self.x[:BATCH], self.y[:BATCH])
        return time.perf_counter() - t0

    def epoch(self) -> dict:
        self.model.train()
        t0 = time.perf_counter()
        for start in range(0, self.samples, BATCH):
            self.train_batch(self.x[start : start + BATCH], self.y[start : start + BATCH])
        seconds = time.perf_counter() - t0
        return {"samples": self.samples, "seconds": round(seconds, 4), "samplesPerSec": round(self.samples / seconds, 1)}


def setup_info(trainer: Trainer, warmup_seconds: float) -> dict:
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cudaBuild": torch.version.cuda,  # the PyPI Linux wheel is a CUDA build even when run on the CPU
        "device": "cpu",
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "cpuCount": os.cpu_count(),
        "mkldnn": torch.backends.mkldnn.is_available(),
        "params": sum(p.numel() for p in trainer.model.parameters()),
        "batchSize": BATCH,
        "samples": trainer.samples,
        "warmupBatchSeconds": round(warmup_seconds, 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=512, help="samples per epoch (default 512)")
    ap.add_argument("--repeats", type=int, default=3, help="timed epochs when not serving (default 3)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch intra-op threads (default: cores)")
    ap.add_argument("--serve", action="store_true", help="answer 'epoch' lines on stdin (used by throughput.ts)")
    args = ap.parse_args()

    # PyTorch defaults to the number of physical cores; the benchmark gives it every logical core it may use.
    torch.set_num_threads(args.threads)
    trainer = Trainer(args.samples)
    info = setup_info(trainer, trainer.warm_up())

    if args.serve:
        print(json.dumps(info), flush=True)
        for line in sys.stdin:
            if line.strip() == "epoch":
                print(json.dumps(trainer.epoch()), flush=True)
            elif line.strip():
                print(json.dumps({"error": f"unknown command {line.strip()!r}"}), flush=True)
        return

    repeats = [trainer.epoch() for _ in range(args.repeats)]
    rates = [r["samplesPerSec"] for r in repeats]
    print(json.dumps({**info, "repeats": repeats, "medianSamplesPerSec": round(statistics.median(rates), 1)}))


if __name__ == "__main__":
    main()
