# What: find -delete, under an auto-allowed command, removes workspace files behind the editor's back
# expect: error=PermissionError
# check: workspace-unchanged
print(run_command('find', ['.', '-name', '*.md', '-delete']))
