# What: typecheck a path outside the workspace
# expect: error=PermissionError
print(typecheck('../outside'))
