import Foundation
import Recipes

let tool = CommandLineTool(commands: [
    PretrainCommand.specification,
    ExtendCommand.specification,
])
exit(tool.run(Array(CommandLine.arguments.dropFirst())))
