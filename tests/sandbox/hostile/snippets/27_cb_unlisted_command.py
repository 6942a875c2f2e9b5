# What: run_command of a program not on the allowlist
# expect: error=PermissionError
print(run_command('env'))
