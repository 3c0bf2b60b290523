print("dab-simulator")
