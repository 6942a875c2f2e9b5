# What: a .git file points at a directory in the workspace whose config names an fsmonitor hook; git status runs it
# expect: any
# file: .git <- "gitdir: gd\n"
# file: gd/HEAD <- "ref: refs/heads/main\n"
# file: gd/objects/info/.keep <- ""
# file: gd/refs/heads/.keep <- ""
# file: gd/config <- "[core]\n\trepositoryformatversion = 0\n\tfsmonitor = python3 @@workspace@@/escapee.py @@workspace@@/hostile.json\n"
# file: escapee.py <- @escapee
print(run_command('git', ['status']))
