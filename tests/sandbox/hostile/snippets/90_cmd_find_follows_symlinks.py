# What: find -L walks through the outward symlink and prints what it finds there
# expect: any
# forbid: canary.txt
print(run_command('find', ['-L', '.', '-name', '*.txt']))
