import Foundation
import Recipes

let tool = CommandLineTool(commands: [
    PretrainCommand.specification,
    ExtendCommand.specification,
    ScoreCommand.specification,
    TokenizeCommand.specification,
    GenerateCommand.specification,
    ReproduceCommand.specification,
])
exit(tool.run(Array(CommandLine.arguments.dropFirst())))
