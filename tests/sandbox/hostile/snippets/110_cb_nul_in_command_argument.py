# What: a NUL in a command argument (truncates it in C programs)
# expect: error=ValueError
print(run_command('ls', ['README.md\x00/etc/passwd']))
