# What: ruff's -o with an attached relative value that goes out through a symlinked directory
# expect: error=PermissionError
print(run_command('ruff', ['check', '-olink_out/created.txt', '.']))
