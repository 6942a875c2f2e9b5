# What: allocate 4 GiB at once
# expect: killed=memory
x = bytearray(4 * 1024**3)
