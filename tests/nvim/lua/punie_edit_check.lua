--- One example of the Neovim edit property test (tests/nvim/test_nvim_edits.py), called
--- over `nvim --server … --remote-expr`: open a file as a user would (so Neovim picks its
--- 'fileformat' and 'eol'), maybe type into it, ask Punie's scripted edit model to write
--- the text the test chose, and report the buffer's text before and after.
local T = require('punie_test')

local M = {}

--- Sets Punie up against `cmd` (JSON): edits apply without review, one snippet per turn.
--- @param cmd string
function M.setup(cmd)
  require('punie').setup({ cmd = vim.json.decode(cmd), writes = 'auto', max_turns = 1 })
  return ''
end

--- @param name string the file, relative to the workspace (the current directory)
--- @param typed integer 1: append an unsaved line before asking
--- @return string JSON: { before, after, step, err }
function M.write(name, typed)
  vim.cmd.edit(vim.fn.fnameescape(name))
  local buf = vim.api.nvim_get_current_buf()
  T.wait(60000, function()
    local client = require('punie.client').for_buffer(buf)
    return client ~= nil and client.initialized
  end, 'the punie client to attach')
  if typed == 1 then
    vim.api.nvim_buf_set_lines(buf, -1, -1, false, { 'typed, not saved' })
  end
  local before = T.text(buf)
  -- Each example is a conversation of its own: sixty in one session outgrow the context.
  require('punie').reset()
  local turn = T.ask('write it')
  local out = {
    before = before,
    after = T.text(buf),
    step = turn.result and turn.result.steps[1] or vim.NIL,
    err = turn.err or vim.NIL,
  }
  vim.cmd('bwipeout!')
  return vim.json.encode(out)
end

return M
