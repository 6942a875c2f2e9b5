-- A typecheck request (`punie.typecheck` through Neovim's client) puts ty's errors in
-- vim.diagnostic; saving a fix clears them (typecheck on save).
local T = require('punie_test')
T.run(function()
  require('punie').setup({ cmd = T.cmd })
  local file = vim.env.PUNIE_TEST_FILE
  vim.cmd.edit(file)
  local buf = vim.api.nvim_get_current_buf()
  local client
  T.wait(60000, function()
    client = require('punie.client').for_buffer(buf)
    return client ~= nil and client.initialized
  end, 'the punie client to attach')
  local answer
  require('punie.client').request(client, 'workspace/executeCommand', {
    command = 'punie.typecheck',
    arguments = { { path = file } },
  }, function(err, result)
    answer = { err = err, result = result }
  end)
  T.wait(T.TURN_MS, function()
    return answer ~= nil
  end, 'the typecheck result')
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
