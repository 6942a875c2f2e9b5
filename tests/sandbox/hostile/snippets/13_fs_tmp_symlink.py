# What: symlink in the private /tmp pointing at the canary
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import os
os.symlink(cfg['canary'], '/tmp/c')
print(open('/tmp/c').read())
