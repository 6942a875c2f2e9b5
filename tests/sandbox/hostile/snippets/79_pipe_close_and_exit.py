# What: close the callback pipes and exit without reporting
# expect: error=SandboxError
# gate: refused
# check: sandbox-survives
import os, sys, json
c = json.loads(sys.argv[1])
os.close(c['fd_out'])
os._exit(3)
