-- A write request on an open, modified buffer changes that buffer (unsaved, undoable),
-- not the file on disk.
local T = require('punie_test')
T.run(function()
  require('punie').setup({ cmd = T.cmd, filetypes = { 'python', 'text' } })
  local path = vim.env.PUNIE_TEST_FILE
  vim.cmd.edit(path)
  local buf = vim.api.nvim_get_current_buf()
  vim.api.nvim_feedkeys(
    vim.api.nvim_replace_termcodes('Goan unsaved line<Esc>', true, false, true),
    'xt',
    false
  )
  -- Close the undo block as typing in a UI would, so `u` undoes only Punie's edit.
  vim.o.undolevels = vim.o.undolevels
  local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local answer = T.ask(vim.env.PUNIE_TEST_QUESTION)
  local after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local modified = vim.bo[buf].modified
  vim.cmd('silent undo')
  return {
    answer = answer,
    before = before,
    after = after,
    modified = modified,
    after_undo = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
  }
end)
