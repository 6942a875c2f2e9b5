# What: write team.code-workspace, which a tool runs or obeys later (it must ask; LocalHost has no one to ask)
# expect: error=PermissionError
# check: workspace-unchanged
write_file('team.code-workspace', '{"settings": {}}')
