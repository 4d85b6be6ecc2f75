import Foundation

extension Corpus {
    /// Splits the corpus deterministically into a training and a validation part; the
    /// validation part is the *end* of the corpus, as in nanoGPT's `shakespeare_char`.
    ///
    /// - With two or more documents, the last documents go to validation: training keeps
    ///   the first `Int(count * (1 - validationFraction))` documents, clamped so that each
    ///   side has at least one.
    /// - With a single document the split is by Unicode scalars: training keeps the first
    ///   `Int(scalarCount * (1 - validationFraction))` (nanoGPT's `data[:int(n*0.9)]` for a
    ///   fraction of 0.1), validation the rest.
    ///
    /// - Precondition: `0 < validationFraction < 1`.
    public func split(validationFraction: Double) -> (training: Corpus, validation: Corpus) {
        precondition(
            validationFraction > 0 && validationFraction < 1,
            "Corpus.split: validationFraction \(validationFraction) must be in (0, 1)")
        if documents.count >= 2 {
            let cut = min(max(Int(Double(documents.count) * (1 - validationFraction)), 1), documents.count - 1)
            return (Corpus(documents: Array(documents[..<cut])), Corpus(documents: Array(documents[cut...])))
        }
        guard let text = documents.first else { return (self, self) }
        let scalars = text.unicodeScalars
        let cut = Int(Double(scalars.count) * (1 - validationFraction))
        let index = scalars.index(scalars.startIndex, offsetBy: cut)
        return (
            Corpus(documents: [String(scalars[..<index])]),
            Corpus(documents: [String(scalars[index...])])
        )
    }

    /// The file name of the corpus bundled with the package (in its `Data` folder).
    public static let bundledCorpusName = "tinyshakespeare.txt"

    /// Finds `Data/<name>` in `directory` or the nearest of its ancestors, or `nil`.
    ///
    /// Running from the package root, from `.build/...` or from a test bundle inside the
    /// package all find the package's `Data` folder this way.
    public static func locateBundledFile(
        named name: String = bundledCorpusName,
        searchingFrom directory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> URL? {
        var current = directory.standardizedFileURL
        while true {
            let candidate = current.appendingPathComponent("Data").appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    /// Loads the bundled Tiny Shakespeare corpus (one document, about 1.1M characters).
    ///
    /// - Parameter path: an explicit location of the file; when `nil` the file is searched
    ///   with ``locateBundledFile(named:searchingFrom:)`` from the current directory.
    public static func bundledShakespeare(at path: URL? = nil) throws(CorpusError) -> Corpus {
        if let path { return try Corpus(contentsOfTextFile: path) }
        guard let found = locateBundledFile() else {
            throw .missingFile(path: "Data/\(bundledCorpusName) (searched upward from "
                + "\(FileManager.default.currentDirectoryPath))")
        }
        return try Corpus(contentsOfTextFile: found)
    }
}
