# What: write .gitmodules, which a tool runs or obeys later (it must ask; LocalHost has no one to ask)
# expect: error=PermissionError
# check: workspace-unchanged
write_file('.gitmodules', '[submodule "x"]\\n\\tpath = x\\n\\turl = ../../../evil')
