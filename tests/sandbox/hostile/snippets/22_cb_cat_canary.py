# What: run_command cat with an absolute canary path
# expect: error=PermissionError
import json
cfg = json.loads(read_file('hostile.json'))
print(run_command('cat', [cfg['canary']]))
