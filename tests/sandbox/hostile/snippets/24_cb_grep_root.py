# What: run_command grep -r for the secret from /
# expect: error=PermissionError
print(run_command('grep', ['-r', 'CANARY', '/var/tmp']))
