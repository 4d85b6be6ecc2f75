import Recipes
print("custom-recipe")
