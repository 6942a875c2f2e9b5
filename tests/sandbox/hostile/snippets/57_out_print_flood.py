# What: print in a loop
# expect: killed=output
while True:
    print('x' * 1000)
