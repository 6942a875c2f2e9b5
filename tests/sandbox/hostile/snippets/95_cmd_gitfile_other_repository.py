# What: a .git file points at another repository on the machine; git log -p --all would print its history
# expect: any
# file: .git <- "gitdir: @@outside@@/repo/.git\n"
print(run_command('git', ['log', '-p', '--all']))
print(run_command('git', ['status']))
