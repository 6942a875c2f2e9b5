# What: run_command cat ~/.secret
# expect: error=PermissionError
print(run_command('cat', ['~/.secret']))
