# What: run_command git log --output= outside the workspace
# expect: error=PermissionError
import json
cfg = json.loads(read_file('hostile.json'))
print(run_command('git', ['log', '--output=' + cfg['created']]))
