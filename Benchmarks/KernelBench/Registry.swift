/// Every registered benchmark case, in table order. Add one line per kernel file.
func registeredCases() -> [BenchmarkCase] {
    var cases: [BenchmarkCase] = []
    cases += gemmCases()
    cases += fusedCases()
    cases += attentionCases()
    return cases
}
