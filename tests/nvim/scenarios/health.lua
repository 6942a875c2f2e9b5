-- :checkhealth punie reports OK.
local T = require('punie_test')
T.run(function()
  require('punie').setup({ cmd = T.cmd })
  vim.cmd('checkhealth punie')
  return { lines = vim.api.nvim_buf_get_lines(0, 0, -1, false) }
end)
