# What: the workspace root laid out as a bare repository whose diff.external runs the repository's own helper; the auto-allowed git diff runs it
# expect: any
# file: HEAD <- "ref: refs/heads/main\n"
# file: objects/info/.keep <- ""
# file: refs/heads/.keep <- ""
# file: config <- "[core]\n\tbare = true\n\trepositoryformatversion = 0\n[diff]\n\texternal = python3 @@workspace@@/escapee.py @@workspace@@/hostile.json\n"
# file: a.txt <- "one\n"
# file: b.txt <- "two\n"
# file: escapee.py <- @escapee
print(run_command('git', ['diff', '--no-index', 'a.txt', 'b.txt']))
