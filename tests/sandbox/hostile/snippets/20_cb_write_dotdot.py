# What: write_file to ../created.txt
# expect: error=PermissionError
write_file('../created.txt', 'pwned')
