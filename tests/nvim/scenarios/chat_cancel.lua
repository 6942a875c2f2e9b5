-- <C-c> in the chat buffer cancels the running turn; the chat says so.
local T = require('punie_test')
T.run(function()
  require('punie').setup({ cmd = T.cmd })
  vim.cmd('PunieChat')
  local buf = vim.api.nvim_get_current_buf()
  local keys =
    vim.api.nvim_replace_termcodes('A' .. vim.env.PUNIE_TEST_QUESTION .. '<CR>', true, false, true)
  vim.api.nvim_feedkeys(keys, 'xt', false)
  local turn = require('punie.turn')
  T.wait(T.TURN_MS, function()
    -- Streaming has begun: the reply's first line is below the question.
    return #turn.running() == 1 and vim.api.nvim_buf_line_count(buf) > 3
  end, 'the reply to start streaming')
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes('<C-c>', true, false, true), 'xt', false)
  T.wait(T.TURN_MS, function()
    return #turn.running() == 0
  end, 'the turn to end')
  return { lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false) }
end)
