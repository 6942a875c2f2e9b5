# What: read_file through a symlink pointing out
# expect: error=PermissionError
print(read_file('link_out/canary.txt'))
