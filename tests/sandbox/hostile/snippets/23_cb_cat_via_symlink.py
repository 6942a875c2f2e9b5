# What: run_command cat through the outward symlink
# expect: error=PermissionError
print(run_command('cat', ['link_out/canary.txt']))
