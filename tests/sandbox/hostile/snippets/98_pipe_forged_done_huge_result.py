# What: forge a done frame carrying a 15 MiB result for the next model turn
# expect: error=SandboxProtocolError
# gate: refused
import json, os, sys, time
c = json.loads(sys.argv[1])
body = json.dumps({'kind': 'done', 'result': 'x' * (15 * 2**20)}).encode()
os.write(c['fd_out'], len(body).to_bytes(4, 'big') + body)
time.sleep(5)
