# What: the repository's ruff.toml extends a file outside the workspace, which ruff quotes when it cannot parse it
# expect: any
# file: ruff.toml <- "extend = \"@@canary@@\"\n"
print(run_command('ruff', ['check', '.']))
