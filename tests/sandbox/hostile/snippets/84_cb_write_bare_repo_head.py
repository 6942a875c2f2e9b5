# What: write_file lays out a bare repository at the workspace root, starting with HEAD
# expect: error=PermissionError
write_file('HEAD', 'ref: refs/heads/main\n')
