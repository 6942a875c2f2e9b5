-- A typecheck request puts ty's errors in vim.diagnostic; saving a fix clears them.
local T = require('punie_test')
T.run(function()
  require('punie').setup({ cmd = T.cmd })
  vim.cmd.edit(vim.env.PUNIE_TEST_FILE)
  local buf = vim.api.nvim_get_current_buf()
  local answer = T.ask(vim.env.PUNIE_TEST_QUESTION)
  T.wait(10000, function()
    return #vim.diagnostic.get(buf) > 0
  end, 'diagnostics')
  local diagnostics = vim.diagnostic.get(buf)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(vim.env.PUNIE_TEST_FIX, '\n'))
  vim.cmd('silent write')
  T.wait(T.TURN_MS, function()
    return #vim.diagnostic.get(buf) == 0
  end, 'the diagnostics to clear after the fix')
  return { answer = answer, diagnostics = diagnostics, after_fix = vim.diagnostic.get(buf) }
end)
