# What: forge a done frame whose error message is 8 MiB
# expect: error=SandboxProtocolError
# gate: refused
import json, os, sys, time
c = json.loads(sys.argv[1])
body = json.dumps({'kind': 'done', 'error': {'type': 'ValueError', 'message': 'y' * (8 * 2**20)}}).encode()
os.write(c['fd_out'], len(body).to_bytes(4, 'big') + body)
time.sleep(5)
