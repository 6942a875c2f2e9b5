# What: the repository's ty.toml adds a directory outside the workspace to the search path; reveal_type shows a secret there
# expect: any
# file: ty.toml <- "[environment]\nextra-paths = [\"@@outside@@\"]\n"
# file: peek.py <- "import secretmod\nreveal_type(secretmod.SECRET)\n"
print(typecheck('.'))
