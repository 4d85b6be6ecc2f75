import Foundation
import Recipes

let tool = CommandLineTool(commands: [scoreCommand, tokenizeCommand, generateCommand])
exit(tool.run(Array(CommandLine.arguments.dropFirst())))
