# What: a --config string that moves ruff's cache outside the workspace
# expect: error=PermissionError
import json
cfg = json.loads(read_file('hostile.json'))
print(run_command('ruff', ['check', '--config', "cache-dir = '" + cfg['far_created'] + "'", '.']))
