#!/usr/bin/env python3
"""Times the kernel-bench GEMM shapes with NumPy (its BLAS, OpenBLAS in the pip
wheel) and torch.matmul at 1 and 2 threads, and optionally sets them beside a
kernel-bench JSON run.

Same protocol as kernel-bench: one warm-up call, then repeated calls for at least
--min-time seconds (at least 3), median reported; outputs are preallocated (out=),
like the Swift kernel writing into an existing C. Transposed operands are passed as
transposed views, which both libraries hand to BLAS as transpose flags.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \\
        /work/venv/bin/python Benchmarks/compare_numpy_torch.py \\
        [--threads 1,2] [--filter NAME] [--min-time 0.5] [--json OUT.json] \\
        [--swift kernel-bench.json | --kernel-bench .build/release/kernel-bench]

Thread counts are set with threadpoolctl (NumPy's BLAS) and torch.set_num_threads.

With --library .build/release/libKernelsFFI.so (from `swift build -c release --product
KernelsFFI`), the Swift sgemm runs in this process and the three libraries take turns
call by call on the same operands; the ratios are medians of the per-turn ratios, which
cancels the drift of a shared machine far better than runs seconds apart. With one
thread no library has idle threads, so the turns are fair. With more, idle threads that keep spinning would slow
the next library's call: OpenBLAS and OpenMP are told not to spin, and the script
pauses 5 ms after each call so the Swift pool's workers (which spin about 2 ms) go to
sleep; every call then pays a thread wake-up (tens of microseconds), so use more than
one thread only for products of several milliseconds (the 1024³ and 2048³ cases).

With --library and --blocks, the libraries take turns block by block instead: each runs
its call back to back for 20 ms (its threads stay warm, as in a training loop; the block's
median call counts), then the script sleeps 150 ms so that its idle threads stop spinning
before the next library's block (OpenBLAS spins up to ~0.1 s by default, libgomp and the
Swift pool a few ms). The libraries keep their default spin settings. This is the mode
for the smaller products on more than one thread.
"""

import argparse
import ctypes
import json
import os
import subprocess
import sys
import time

if "--library" in sys.argv and "--blocks" not in sys.argv:
    # Must be set before NumPy and torch load their thread pools (see the docstring).
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np

try:
    import torch
except ImportError:  # NumPy-only comparison still works
    torch = None

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:
    threadpool_info = None
    threadpool_limits = None

TOKENS = 768
MODELS = [
    ("llama288", [("attn", 288, 288), ("ffn_up", 768, 288), ("ffn_down", 288, 768), ("logits", 32000, 288)]),
    ("llama128", [("attn", 128, 128), ("ffn_up", 352, 128), ("ffn_down", 128, 352), ("logits", 65, 128)]),
]


def cases():
    """(kernel, shape, transpose_a, transpose_b, batch) in kernel-bench order and naming."""
    out = [("sgemm", [s, s, s], False, False, None) for s in (256, 512, 1024, 2048)]
    for model, layers in MODELS:
        for layer, n_out, n_in in layers:
            prefix = f"sgemm.{model}.{layer}"
            out.append((prefix + ".fwd", [TOKENS, n_out, n_in], False, True, None))
            out.append((prefix + ".dx", [TOKENS, n_in, n_out], False, False, None))
            out.append((prefix + ".dw", [n_out, n_in, TOKENS], True, False, None))
    for shape in ([127, 129, 131], [1, 4096, 1024], [4096, 1, 1024], [1024, 1024, 1]):
        out.append(("sgemm.odd", shape, False, False, None))
    out.append(("sgemm_batched.llama288.scores", [72, 64, 64, 48], False, True, 72))
    return out


def median_time(fn, min_time):
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < 3 or (time.perf_counter() - start < min_time and len(times) < 200):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    mid = len(times) // 2
    return times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2


def operands(shape, ta, tb, batch, rng):
    """A, B as stored for the transposes, and op(A), op(B) as views."""
    if batch:
        _, m, n, k = shape
        a = rng.uniform(-1, 1, (batch, m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (batch, n, k)).astype(np.float32)
        return a, b.transpose(0, 2, 1), np.empty((batch, m, n), np.float32)
    m, n, k = shape
    a = rng.uniform(-1, 1, (k, m) if ta else (m, k)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, k) if tb else (k, n)).astype(np.float32)
    return (a.T if ta else a), (b.T if tb else b), np.empty((m, n), np.float32)


def load_library(path):
    library = ctypes.CDLL(path)
    library.kernels_sgemm.argtypes = [ctypes.c_int32, ctypes.c_int32] + [ctypes.c_long] * 3 + \
        [ctypes.c_void_p, ctypes.c_long] * 3
    library.kernels_set_threads.argtypes = [ctypes.c_long]
    return library


def alternate(calls, min_time, pause):
    """Runs the calls in turn (with `pause` seconds after each) for at least min_time
    seconds and 5 turns; returns each call's list of seconds, one per turn."""
    for call in calls:
        call()
    times = [[] for _ in calls]
    start = time.perf_counter()
    while len(times[0]) < 5 or time.perf_counter() - start < min_time:
        for i, call in enumerate(calls):
            t0 = time.perf_counter()
            call()
            times[i].append(time.perf_counter() - t0)
            if pause:
                time.sleep(pause)
    return times


def alternate_blocks(calls, min_time, block=0.02, pause=0.15):
    """Runs the calls in turn, each for a block of `block` seconds (a waking call, then at
    least 3 timed ones; see median_time) and then `pause` seconds of sleep, for at least
    min_time seconds of blocks and 5 rounds; returns each call's list of per-block median
    seconds, one per round."""
    times = [[] for _ in calls]
    timed = 0.0
    while len(times[0]) < 5 or timed < min_time:
        for i, call in enumerate(calls):
            start = time.perf_counter()
            times[i].append(median_time(call, block))
            timed += time.perf_counter() - start
            time.sleep(pause)
    return times


def median(values):
    return sorted(values)[len(values) // 2]


def fastest(best, t):
    return t if best is None else min(best, t)


def time_numpy(a, b, c, threads, min_time):
    if threadpool_limits is None:
        return median_time(lambda: np.matmul(a, b, out=c), min_time)
    with threadpool_limits(limits=threads, user_api="blas"):
        return median_time(lambda: np.matmul(a, b, out=c), min_time)


def run_kernel_bench(path, kernel, shape, threads, min_time):
    """Median seconds of one kernel-bench case (it checks the kernel first)."""
    command = [path, "--filter", kernel, "--shape", "x".join(map(str, shape)), "--threads", str(threads),
               "--min-time", str(min_time), "--skip-peak", "--json"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rows = [r for r in json.loads(output) if r["kernel"] == kernel]
    return rows[0]["median_s"]


def markdown_table(results):
    """GFLOPS per library and the speed ratio of kernel-bench (swift) to each."""
    lines = ["| kernel | shape | threads | NumPy GFLOPS | torch GFLOPS | Swift GFLOPS | Swift/NumPy | Swift/torch |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        work = flops(r["shape"])
        swift = r.get("swift_median_s")
        cells = [r["kernel"], "x".join(map(str, r["shape"])), str(r["threads"]), f"{r['numpy_gflops']:.1f}",
                 f"{r['torch_gflops']:.1f}" if r["torch_gflops"] else "-",
                 f"{work / swift * 1e-9:.1f}" if swift else "-",
                 f"{r['swift_vs_numpy']:.2f}" if swift else "-",
                 f"{r['swift_vs_torch']:.2f}" if swift and r.get("swift_vs_torch") else "-"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def flops(shape):
    result = 2.0
    for d in shape:
        result *= d
    return result


def library_info():
    lines = [f"numpy {np.__version__}"]
    if threadpool_info is not None:
        for pool in threadpool_info():
            keys = ("user_api", "internal_api", "version", "architecture", "num_threads", "filepath")
            lines.append("  " + ", ".join(f"{k}={pool.get(k)}" for k in keys))
    else:
        lines.append("  threadpoolctl not installed: NumPy thread count follows OPENBLAS_NUM_THREADS")
    if torch is not None:
        config = torch.__config__.show().splitlines()
        keep = [l.strip(" -") for l in config if "MKL-DNN" in l or "CPU capability" in l]
        settings = " ".join(config).replace(",", " ").split()
        keep += [s for s in settings if s.startswith(("BLAS_INFO=", "USE_MKL=", "USE_OPENMP="))]
        lines.append(f"torch {torch.__version__}: " + "; ".join(keep))
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if var in os.environ:
            lines.append(f"  note: {var}={os.environ[var]} is set")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--filter", default=None, help="substring of the kernel name")
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds of timed runs per case")
    parser.add_argument("--passes", type=int, default=1,
                        help="repeat each measurement this many times (interleaved) and keep the fastest "
                             "median per library: filters out load from other processes on a shared machine")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown at the end")
    parser.add_argument("--json", default=None, help="also write results as JSON to this file ('-' = stdout)")
    parser.add_argument("--swift", default=None, help="kernel-bench --json output to compare against")
    parser.add_argument("--library", default=None, metavar="PATH",
                        help="libKernelsFFI.so: time the Swift sgemm in this process, alternating call "
                             "by call with NumPy and torch (see above)")
    parser.add_argument("--blocks", action="store_true",
                        help="with --library: take turns in 20 ms blocks of back-to-back calls with warm "
                             "threads instead of call by call (see above)")
    parser.add_argument("--kernel-bench", default=None, metavar="PATH",
                        help="run this kernel-bench binary for each case right after NumPy and torch "
                             "(interleaved, so all three see the same machine load)")
    args = parser.parse_args()
    try:
        thread_counts = [int(t) for t in args.threads.split(",")]
        assert all(t >= 1 for t in thread_counts)
    except (ValueError, AssertionError):
        parser.error(f"--threads expects positive integers like 1,2; got {args.threads!r}")
    if args.blocks and not args.library:
        parser.error("--blocks needs --library")

    info = library_info()
    for line in info:
        print(line, file=sys.stderr)

    swift = {}
    if args.swift:
        with open(args.swift) as f:
            for row in json.load(f):
                swift[(row["kernel"], tuple(row["shape"]), row["threads"])] = row["median_s"]

    library = load_library(args.library) if args.library else None
    rng = np.random.default_rng(0)
    selected = [c for c in cases() if args.filter is None or args.filter in c[0]]
    if library:
        selected = [c for c in selected if not c[4]]  # the library exports plain sgemm only
    results = []
    header = f"{'kernel':34}{'shape':20}{'thr':>4}{'numpy':>11}{'GFLOPS':>8}{'torch':>11}{'GFLOPS':>8}"
    if swift or args.kernel_bench or library:
        header += f"{'swift':>11}{'GFLOPS':>8}{'vs np':>7}{'vs torch':>9}"
    print(header)
    for kernel, shape, ta, tb, batch in selected:
        a, b, c = operands(shape, ta, tb, batch, rng)
        ta_t = tb_t = tc_t = None
        if torch is not None:
            # Same storage as NumPy's operands, transposed back into views.
            ta_t = torch.from_numpy(np.swapaxes(a, -1, -2)).transpose(-1, -2) if ta else torch.from_numpy(a)
            tb_t = torch.from_numpy(np.swapaxes(b, -1, -2)).transpose(-1, -2) if tb else torch.from_numpy(b)
            tc_t = torch.from_numpy(c.copy())
        for threads in thread_counts:
            t_np = t_torch = t_swift = None
            paired = None
            if library:
                m, n, k = shape
                stored_a = np.ascontiguousarray(a.T if ta else a)
                stored_b = np.ascontiguousarray(b.T if tb else b)
                c_swift = np.empty((m, n), np.float32)
                library.kernels_set_threads(threads)
                # The arguments are converted once: `.ctypes.data` builds an object per
                # access, and three of them per call cost ~7 µs, 2-10 % of a small product.
                sgemm_arguments = (int(ta), int(tb), m, n, k, stored_a.ctypes.data, stored_a.shape[1],
                                   stored_b.ctypes.data, stored_b.shape[1], c_swift.ctypes.data, n)
                calls = [lambda: np.matmul(a, b, out=c),
                         lambda: library.kernels_sgemm(*sgemm_arguments)]
                if torch is not None:
                    torch.set_num_threads(threads)
                    calls.append(lambda: torch.matmul(ta_t, tb_t, out=tc_t))
                limits = threadpool_limits(limits=threads, user_api="blas") if threadpool_limits else None
                try:
                    if args.blocks:
                        turns = alternate_blocks(calls, args.min_time)
                    else:
                        turns = alternate(calls, args.min_time, pause=0.005 if threads > 1 else 0)
                finally:
                    if limits is not None:
                        limits.unregister()
                np.matmul(a, b, out=c)
                assert np.allclose(c, c_swift, rtol=1e-3, atol=1e-3 * k), f"{kernel} {shape}: Swift result differs"
                t_np, t_swift = median(turns[0]), median(turns[1])
                t_torch = median(turns[2]) if torch is not None else None
                # Swift's speed against NumPy and torch: medians of the per-turn ratios.
                paired = (median([x / y for x, y in zip(turns[0], turns[1])]),
                          median([x / y for x, y in zip(turns[2], turns[1])]) if torch is not None else None)
            for _ in range(max(1, args.passes) if not library else 0):
                t_np = fastest(t_np, time_numpy(a, b, c, threads, args.min_time))
                if torch is not None:
                    torch.set_num_threads(threads)
                    t_torch = fastest(t_torch, median_time(lambda: torch.matmul(ta_t, tb_t, out=tc_t), args.min_time))
                if args.kernel_bench:
                    t_swift = fastest(t_swift, run_kernel_bench(args.kernel_bench, kernel, shape, threads, args.min_time))
            work = flops(shape)
            row = {
                "kernel": kernel, "shape": shape, "threads": threads,
                "numpy_median_s": t_np, "numpy_gflops": work / t_np * 1e-9,
                "torch_median_s": t_torch, "torch_gflops": work / t_torch * 1e-9 if t_torch else None,
            }
            line = (f"{kernel:34}{'x'.join(map(str, shape)):20}{threads:>4}{t_np * 1e3:>9.3f}ms"
                    f"{row['numpy_gflops']:>8.1f}")
            line += f"{t_torch * 1e3:>9.3f}ms{row['torch_gflops']:>8.1f}" if t_torch else f"{'-':>11}{'-':>8}"
            if not args.kernel_bench and not library:
                t_swift = swift.get((kernel, tuple(shape), threads))
            if t_swift:
                row["swift_median_s"] = t_swift
                vs_np, vs_torch = paired or (t_np / t_swift, t_torch / t_swift if t_torch else None)
                row["swift_vs_numpy"], row["swift_vs_torch"] = vs_np, vs_torch
                line += f"{t_swift * 1e3:>9.3f}ms{work / t_swift * 1e-9:>8.1f}{vs_np:>7.2f}"
                line += f"{vs_torch:>9.2f}" if vs_torch else f"{'-':>9}"
            print(line, flush=True)
            results.append(row)
    if args.markdown:
        print()
        print(markdown_table(results))
    if args.json:
        payload = json.dumps({"libraries": info, "results": results}, indent=1)
        if args.json == "-":
            print(payload)
        else:
            with open(args.json, "w") as f:
                f.write(payload + "\n")


if __name__ == "__main__":
    main()
