# What: io.FileIO on the far canary
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import io
print(io.FileIO(cfg['far_canary']).read())
