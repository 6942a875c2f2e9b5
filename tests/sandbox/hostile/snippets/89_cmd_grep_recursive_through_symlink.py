# What: grep -R follows the workspace's symlink to the directory that holds the canary
# expect: any
print(run_command('grep', ['-R', 'CANARY', '.']))
