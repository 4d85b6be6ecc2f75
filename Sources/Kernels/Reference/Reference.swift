/// Plain scalar implementations of the kernels, written for clarity. Tests and the
/// benchmark suite check the optimised kernels against these.
public enum Reference {}
