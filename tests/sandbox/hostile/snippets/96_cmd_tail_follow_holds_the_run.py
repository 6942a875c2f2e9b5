# What: tail -f never ends: the command's own timeout must end it (the snippet's clock is off during a call)
# expect: error=TimeoutError
# within: 6.5
print(run_command('tail', ['-f', 'README.md']))
