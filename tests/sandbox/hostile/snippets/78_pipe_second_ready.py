# What: send 'ready' again mid-run
# expect: error=SandboxProtocolError
# gate: refused
import os, sys, json, struct
c = json.loads(sys.argv[1])
b = b'{"kind":"ready"}'
os.write(c['fd_out'], struct.pack('>I', len(b)) + b)
import time
time.sleep(5)
