# What: forge a read_file call with extra arguments
# expect: error=SandboxProtocolError
# gate: refused
import os, sys, json, struct
c = json.loads(sys.argv[1])
b = json.dumps({'kind': 'call', 'tool': 'read_file', 'args': {'path': 'README.md', 'mode': 'w'}}).encode()
os.write(c['fd_out'], struct.pack('>I', len(b)) + b)
import time
time.sleep(5)
