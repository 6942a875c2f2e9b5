# What: read_file with an absolute path outside
# expect: error=PermissionError
import json
cfg = json.loads(read_file('hostile.json'))
print(read_file(cfg['canary']))
