# What: the repository's ruff.toml moves the cache outside the workspace, where no argument check can see it
# expect: any
# file: ruff.toml <- "cache-dir = \"@@far@@/ruff-cache\"\n"
# file: a.py <- "import os\n"
print(run_command('ruff', ['check', '.']))
