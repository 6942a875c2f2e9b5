# What: write .venv/lib/python3.11/site-packages/zz.pth, which a tool runs or obeys later (it must ask; LocalHost has no one to ask)
# expect: error=PermissionError
# check: workspace-unchanged
write_file('.venv/lib/python3.11/site-packages/zz.pth', "import os; os.system('id')")
