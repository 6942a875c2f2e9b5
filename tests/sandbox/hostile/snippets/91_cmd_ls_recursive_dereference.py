# What: ls -RL lists the directory behind the outward symlink
# expect: any
# forbid: canary.txt
print(run_command('ls', ['-RL']))
