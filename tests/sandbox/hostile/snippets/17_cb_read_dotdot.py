# What: read_file with .. traversal
# expect: error=PermissionError
import json
cfg = json.loads(read_file('hostile.json'))
print(read_file('../outside/canary.txt'))
