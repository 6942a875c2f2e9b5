# What: write_file into a symlinked directory chain
# expect: error=PermissionError
write_file('link_out/../outside/created.txt', 'x')
