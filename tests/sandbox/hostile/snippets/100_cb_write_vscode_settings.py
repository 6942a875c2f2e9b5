# What: write .vscode/settings.json, which a tool runs or obeys later (it must ask; LocalHost has no one to ask)
# expect: error=PermissionError
# check: workspace-unchanged
write_file('.vscode/settings.json', '{"terminal.integrated.env.linux": {"PATH": "/tmp/evil"}}')
