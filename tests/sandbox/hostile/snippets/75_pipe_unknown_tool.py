# What: forge a call to a tool that does not exist
# expect: error=SandboxProtocolError
# gate: refused
import os, sys, json, struct
c = json.loads(sys.argv[1])
b = json.dumps({'kind': 'call', 'tool': 'shell', 'args': {'cmd': 'id'}}).encode()
os.write(c['fd_out'], struct.pack('>I', len(b)) + b)
import time
time.sleep(5)
