# What: grow a list until memory runs out
# expect: killed=memory
chunks = []
while True:
    chunks.append('x' * 10**7)
