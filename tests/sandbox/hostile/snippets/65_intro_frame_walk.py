# What: walk frames to the worker and use its channel
# expect: error=PermissionError
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import sys
f = sys._getframe()
while f is not None and 'toolset' not in f.f_globals:
    f = f.f_back
print(f.f_code.co_name)
print(f.f_globals['toolset']._transport('read_file', {'path': cfg['canary']}))
