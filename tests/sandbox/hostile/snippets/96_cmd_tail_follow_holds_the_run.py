# What: tail -f never ends: the snippet's clock runs while the host runs a command for it, so the run still ends on time
# expect: killed=timeout
# within: 1.5
print(run_command('tail', ['-f', 'README.md']))
