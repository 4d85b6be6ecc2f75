import Recipes
print("train-bench")
