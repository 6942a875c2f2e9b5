# What: os.write to fd 1 in a loop
# expect: killed=output
# gate: refused
import os
while True:
    os.write(1, b'y' * 65536)
