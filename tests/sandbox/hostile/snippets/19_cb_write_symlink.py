# What: write_file through a symlink pointing out
# expect: error=PermissionError
write_file('link_out/created.txt', 'pwned')
