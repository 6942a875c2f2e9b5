# What: send garbage bytes as a frame
# expect: error=SandboxProtocolError
# check: sandbox-survives
# gate: refused
import os, sys, json
c = json.loads(sys.argv[1])
os.write(c['fd_out'], b'\x00\x00\x00\x05hello')
import time
time.sleep(5)
