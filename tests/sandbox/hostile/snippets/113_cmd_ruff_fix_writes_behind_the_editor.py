# What: ruff check --fix (auto-allowed) rewrites a workspace file without an edit the user sees
# expect: any
# check: workspace-unchanged
# file: fixme.py <- "import os\n"
print(run_command('ruff', ['check', '--fix', 'fixme.py']))
