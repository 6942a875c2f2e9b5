-- With `writes = 'auto'`, a write to an open, modified, non-Python buffer changes that
-- buffer at once (unsaved, undoable) into exactly what the snippet wrote, and says so;
-- the file on disk is untouched.
local T = require('punie_test')
T.run(function()
  local buf = T.open_attached(vim.env.PUNIE_TEST_FILE, { writes = 'auto' })
  vim.api.nvim_feedkeys(
    vim.api.nvim_replace_termcodes('Goan unsaved line<Esc>', true, false, true),
    'xt',
    false
  )
  -- Close the undo block as typing in a UI would, so `u` undoes only Punie's edit.
  vim.o.undolevels = vim.o.undolevels
  local notes = T.capture_notifications()
  local before = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local answer = T.ask(vim.env.PUNIE_TEST_QUESTION)
  local after = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local text = T.text(buf)
  local modified = vim.bo[buf].modified
  vim.cmd('silent undo')
  return {
    answer = answer,
    before = before,
    after = after,
    text = text,
    modified = modified,
    notes = notes,
    after_undo = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
  }
end)
