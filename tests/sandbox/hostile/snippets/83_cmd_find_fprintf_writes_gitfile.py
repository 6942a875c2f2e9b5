# What: find -fprintf writes a .git file that points git at a repository of the snippet's making
# expect: error=PermissionError
# check: workspace-unchanged
print(run_command('find', ['.', '-maxdepth', '0', '-fprintf', '.git', 'gitdir: gd\n']))
