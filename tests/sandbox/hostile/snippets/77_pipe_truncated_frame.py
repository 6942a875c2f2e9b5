# What: send half a frame and stall
# expect: killed=timeout
# gate: refused
import os, sys, json
c = json.loads(sys.argv[1])
os.write(c['fd_out'], b'\x00\x00\x10\x00{"kind"')
import time
time.sleep(60)
