# What: infinite loop
# expect: killed=timeout
while True:
    pass
