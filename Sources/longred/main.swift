import Foundation
import Recipes

let tool = CommandLineTool(commands: [])
exit(tool.run(Array(CommandLine.arguments.dropFirst())))
