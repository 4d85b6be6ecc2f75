import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the progress line of a run to standard error: rewritten in place with a carriage
/// return when standard error is a terminal, plain lines (one per log interval) otherwise, so
/// redirected output stays readable.
struct ProgressReporter {
    var enabled: Bool
    let interactive: Bool = isatty(2) != 0

    /// Shows `line`; `final` lines (evaluations, the end) are never overwritten.
    func show(_ line: String, final: Bool = false, logged: Bool) {
        guard enabled else { return }
        if interactive {
            let text = "\r\u{1B}[2K" + line + (final ? "\n" : "")
            FileHandle.standardError.write(Data(text.utf8))
        } else if final || logged {
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }

    /// Ends a line left open by an in-place update.
    func endLine() {
        if enabled && interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// `1h02m03s`, `4m05s`, `6s`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let total = Int(seconds.rounded())
        let (hours, minutes, secs) = (total / 3600, total % 3600 / 60, total % 60)
        if hours > 0 { return String(format: "%dh%02dm%02ds", hours, minutes, secs) }
        if minutes > 0 { return String(format: "%dm%02ds", minutes, secs) }
        return "\(secs)s"
    }
}
