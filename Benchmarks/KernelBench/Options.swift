/// Command-line options of `kernel-bench`.
struct Options {
    var filter: String? = nil
    /// Only the case whose shape prints as this, e.g. `1024x1024x1024`.
    var shape: String? = nil
    /// Skip measuring the FMA peak (the fraction column is then empty).
    var skipPeak = false
    /// Thread counts to run every case at; empty means `Parallel.maxThreads` as is.
    var threads: [Int] = []
    var json = false
    /// Seconds of timed runs per case (the median is taken over them).
    var minTime = 0.5
    /// Repetitions of each measurement; the fastest median is kept.
    var passes = 1
    /// Time with the calling thread's CPU clock instead of the wall clock.
    var cpuTime = false

    static let usage = """
        Usage: kernel-bench [--filter NAME] [--shape MxNxK] [--threads N[,N...]]
                            [--min-time SECONDS] [--passes N] [--cpu-time] [--skip-peak]
                            [--json] [--help]

        Runs every registered kernel benchmark: checks each kernel against its naive
        reference, then prints the median time and GFLOPS (or GB/s) per case, and the
        fraction of this machine's fp32 FMA peak (measured first, 1 and N threads).

          --filter NAME       only kernels whose name contains NAME
          --shape MxNxK       only the case of this shape (as printed in the table)
          --threads N[,N...]  set Parallel.maxThreads to N (a list runs each case at each N)
          --min-time S        seconds of timed repetitions per case (default 0.5)
          --passes N          measure each case N times (and the peak 5N times), keep the
                              fastest median: filters out load from other processes
          --cpu-time          time with the calling thread's CPU clock (only meaningful with
                              --threads 1; steadier than wall time on a busy machine)
          --skip-peak         do not measure the FMA peak (no fraction-of-peak column)
          --json              print a JSON array, one object per case, instead of the table
          --help              show this help

        Exit status: 0 on success, 1 if a kernel disagrees with its reference, 2 on bad usage.
        """

    /// A usage error; its message names the offending argument.
    struct UsageError: Error {
        let message: String
    }

    /// Parses `arguments` (without the program name). Returns nil for `--help`.
    static func parse(_ arguments: [String]) throws -> Options? {
        var options = Options()
        var rest = arguments[...]
        func value(for flag: String) throws -> String {
            guard let next = rest.popFirst() else {
                throw UsageError(message: "\(flag) needs a value")
            }
            return next
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--help", "-h":
                return nil
            case "--json":
                options.json = true
            case "--shape":
                options.shape = try value(for: argument)
            case "--skip-peak":
                options.skipPeak = true
            case "--passes":
                let text = try value(for: argument)
                guard let passes = Int(text), passes >= 1 else {
                    throw UsageError(message: "--passes expects a positive integer; got '\(text)'")
                }
                options.passes = passes
            case "--cpu-time":
                options.cpuTime = true
            case "--filter":
                options.filter = try value(for: argument)
            case "--threads":
                let text = try value(for: argument)
                let counts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
                guard !counts.isEmpty, counts.allSatisfy({ ($0 ?? 0) >= 1 }) else {
                    throw UsageError(message: "--threads expects positive integers like 1 or 1,2; got '\(text)'")
                }
                options.threads = counts.map { $0! }
            case "--min-time":
                let text = try value(for: argument)
                guard let seconds = Double(text), seconds >= 0, seconds.isFinite else {
                    throw UsageError(message: "--min-time expects a non-negative number of seconds; got '\(text)'")
                }
                options.minTime = seconds
            default:
                throw UsageError(message: "unknown argument '\(argument)'")
            }
        }
        return options
    }
}
