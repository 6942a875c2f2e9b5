# What: open() the canary file by absolute path
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
print(open(cfg['canary']).read())
