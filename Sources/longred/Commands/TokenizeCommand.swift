import Foundation
import Recipes

/// `longred tokenize`: token ids of the text on standard input.
enum TokenizeCommand {
    static let specification = CommandSpecification(
        name: "tokenize",
        summary: "Read UTF-8 text from standard input (all of it, newlines included) and print its token ids as a JSON array.",
        options: [
            .value("--tokenizer", "file", "A Hugging Face tokenizer.json or a CharacterTokenizer file."),
            .flag("--add-special-tokens", "Apply the tokenizer's template (e.g. a leading BOS)."),
        ],
        run: runTokenize)
}

private func runTokenize(_ options: ParsedOptions) throws {
    let path = try options.required("--tokenizer")
    let tokenizer = try loadTokenizer(path: path)
    let data = FileHandle.standardInput.readDataToEndOfFile()
    guard let text = String(data: data, encoding: .utf8) else {
        throw ModelCommandError("standard input is not valid UTF-8")
    }
    let ids = try tokenizer.encode(text, addSpecialTokens: options.isSet("--add-special-tokens"))
    ModelCommandSupport.write("[" + ids.map(String.init).joined(separator: ", ") + "]\n")
}
