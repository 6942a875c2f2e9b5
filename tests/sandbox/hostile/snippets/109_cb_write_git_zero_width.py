# What: write git's config under '.g<zero-width space>it' (macOS ignores such characters in names)
# expect: error=PermissionError
# check: workspace-unchanged
write_file('.g\u200bit/config', '[core]\n\tfsmonitor = touch pwned\n')
