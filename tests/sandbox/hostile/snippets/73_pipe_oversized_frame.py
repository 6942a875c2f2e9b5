# What: announce a 4 GiB frame on the callback pipe
# expect: error=SandboxProtocolError
# gate: refused
import os, sys, json
c = json.loads(sys.argv[1])
os.write(c['fd_out'], b'\xff\xff\xff\xff')
import time
time.sleep(5)
