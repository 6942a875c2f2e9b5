-- :PunieAsk {text} streams the reply into a float, without opening the chat.
local T = require('punie_test')
T.run(function()
  require('punie').setup({ cmd = T.cmd })
  vim.cmd('PunieAsk ' .. vim.env.PUNIE_TEST_QUESTION)
  local win = vim.api.nvim_get_current_win()
  local buf = vim.api.nvim_win_get_buf(win)
  T.wait(T.TURN_MS, function()
    return #require('punie.turn').running() == 0
  end, 'the answer in the float')
  return {
    relative = vim.api.nvim_win_get_config(win).relative,
    lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
    chat_open = require('punie.chat').buf() ~= nil,
  }
end)
