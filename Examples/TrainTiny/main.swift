import NN
print("train-tiny")
