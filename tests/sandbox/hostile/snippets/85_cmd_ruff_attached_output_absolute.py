# What: ruff's -o with its value attached, naming a file outside the workspace
# expect: error=PermissionError
import json
cfg = json.loads(read_file('hostile.json'))
print(run_command('ruff', ['check', '-o' + cfg['far_created'], '.']))
