# What: write git's config under the spelling '.git.' (Windows and some tools drop the trailing dot)
# expect: error=PermissionError
# check: workspace-unchanged
write_file('.git./config', '[core]\n\tfsmonitor = touch pwned\n')
