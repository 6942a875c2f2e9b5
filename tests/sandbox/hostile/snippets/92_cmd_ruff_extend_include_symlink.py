# What: the repository's ruff.toml includes files behind the outward symlink, so ruff reads (and quotes) them
# expect: any
# file: ruff.toml <- "extend-include = [\"link_out/*.txt\", \"link_out/*.py\"]\n"
print(run_command('ruff', ['check', '--show-files', '.']))
print(run_command('ruff', ['check', '.']))
