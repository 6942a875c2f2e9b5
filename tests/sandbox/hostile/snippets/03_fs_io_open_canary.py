# What: io.open of the canary
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import io
print(io.open(cfg['canary']).read())
