-- Neovim init for Punie's tests: the plugin (editors/nvim) and the test helpers on the
-- runtimepath, nothing else.
local here = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p:h')
local repo = vim.fn.fnamemodify(here, ':h:h')
vim.opt.runtimepath:prepend(repo .. '/editors/nvim')
vim.opt.runtimepath:append(here)
vim.opt.swapfile = false
vim.opt.shadafile = 'NONE'
