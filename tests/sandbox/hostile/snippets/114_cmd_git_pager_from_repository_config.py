# What: the repository's own config names a pager and an alias-free external diff that leave a daemon behind
# expect: any
# file: .git/HEAD <- "ref: refs/heads/main\n"
# file: .git/objects/info/.keep <- ""
# file: .git/refs/heads/.keep <- ""
# file: .git/config <- "[core]\n\trepositoryformatversion = 0\n\tpager = python3 @@workspace@@/escapee.py @@workspace@@/hostile.json\n[diff]\n\texternal = python3 @@workspace@@/escapee.py @@workspace@@/hostile.json\n"
# file: escapee.py <- @escapee
# file: tracked.txt <- "x\n"
print(run_command('git', ['diff', '--no-index', 'tracked.txt', 'README.md']))
print(run_command('git', ['log', '-p']))
