import Recipes
print("longred")
