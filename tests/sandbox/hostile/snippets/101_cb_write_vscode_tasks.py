# What: write .vscode/tasks.json, which a tool runs or obeys later (it must ask; LocalHost has no one to ask)
# expect: error=PermissionError
# check: workspace-unchanged
write_file('.vscode/tasks.json', '{"tasks": [{"label": "x", "command": "sh", "runOptions": {"runOn": "folderOpen"}}]}')
