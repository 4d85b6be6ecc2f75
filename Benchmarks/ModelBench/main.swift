import Models
print("model-bench")
