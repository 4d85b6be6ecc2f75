import Foundation
import Recipes

let tool = CommandLineTool(commands: [
    PretrainCommand.specification,
    ExtendCommand.specification,
    scoreCommand,
    tokenizeCommand,
    generateCommand,
])
exit(tool.run(Array(CommandLine.arguments.dropFirst())))
