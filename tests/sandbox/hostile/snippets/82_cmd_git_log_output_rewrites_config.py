# What: git log --output=.git/config to overwrite git's own configuration from inside the workspace
# expect: any
# check: workspace-unchanged
# file: .git/HEAD <- "ref: refs/heads/main\n"
# file: .git/objects/info/.keep <- ""
# file: .git/refs/heads/.keep <- ""
# file: .git/config <- "[core]\n\trepositoryformatversion = 0\n"
print(run_command('git', ['log', '--output=.git/config', '--format=[core]%n%x09fsmonitor = touch pwned']))
