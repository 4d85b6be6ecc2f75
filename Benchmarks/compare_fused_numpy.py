"""NumPy side of the fused row kernels in kernel-bench (1024 x 1024 float32): the
equivalent NumPy expressions, median of repeated runs, printed next to kernel-bench's
median for the same kernel.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /work/venv/bin/python \
        Benchmarks/compare_fused_numpy.py --kernel-bench .build/release/kernel-bench
"""
import argparse, json, statistics, subprocess, time

import numpy as np

rng = np.random.default_rng(0)
x = rng.uniform(-1, 1, (1024, 1024)).astype(np.float32)
w = rng.uniform(0.5, 1.5, 1024).astype(np.float32)
t = rng.integers(0, 1024, 1024)
rows = np.arange(1024)


def softmax():
    e = np.exp(x - x.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def log_softmax():
    m = x.max(1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(1, keepdims=True))


def rmsnorm():
    return x * (1 / np.sqrt((x * x).mean(1, keepdims=True) + 1e-5)) * w


def cross_entropy_forward():
    m = x.max(1, keepdims=True)
    return m[:, 0] + np.log(np.exp(x - m).sum(1)) - x[rows, t]


def cross_entropy_backward():
    m = x.max(1, keepdims=True)
    p = np.exp(x - m)
    p /= p.sum(1, keepdims=True)
    p[rows, t] -= 1
    return p / 1024


CASES = {"softmax": softmax, "log_softmax": log_softmax, "rmsnorm.fwd": rmsnorm,
         "cross_entropy.fwd": cross_entropy_forward, "cross_entropy.bwd": cross_entropy_backward}


def median_seconds(function, min_time=0.3):
    function()
    times = []
    start = time.perf_counter()
    while len(times) < 5 or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kernel-bench", help="path of the release kernel-bench binary")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    swift = {}
    if args.kernel_bench:
        for name in CASES:
            out = subprocess.run([args.kernel_bench, "--filter", name, "--threads", str(args.threads),
                                  "--skip-peak", "--json"], capture_output=True, text=True, check=True).stdout
            for row in json.loads(out):
                if row["kernel"] == name:
                    swift[name] = row["median_s"]
    print(f"{'kernel':20s} {'NumPy ms':>10s} {'Swift ms':>10s} {'speed-up':>9s}")
    for name, function in CASES.items():
        numpy_s = median_seconds(function)
        swift_s = swift.get(name)
        ratio = f"{numpy_s / swift_s:8.1f}x" if swift_s else "        -"
        swift_text = f"{swift_s * 1e3:10.3f}" if swift_s else "         -"
        print(f"{name:20s} {numpy_s * 1e3:10.3f} {swift_text} {ratio}")


if __name__ == "__main__":
    main()
