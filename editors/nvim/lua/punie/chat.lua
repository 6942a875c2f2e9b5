--- The chat buffer: a prompt buffer in a split where questions are typed and replies stream in.
local render = require('punie.render')

local M = {}

local PROMPT = '> '

--- @type { buf: integer?, root: string?, turn: punie.Turn? }
local state = { buf = nil, root = nil, turn = nil }

--- The chat buffer, if one exists.
--- @return integer?
function M.buf()
  if state.buf and vim.api.nvim_buf_is_valid(state.buf) then
    return state.buf
  end
end

--- Cancels the running turn of the chat, if any.
function M.cancel()
  if state.turn then
    state.turn:cancel()
  end
end

--- Streams the answer to `text` into the chat buffer.
--- @param text string
local function submit(text)
  if vim.trim(text) == '' then
    return
  end
  local buf = assert(M.buf())
  if state.turn and not state.turn:is_done() then
    vim.notify(
      'punie: a turn is still running; <C-c> or :PunieCancel stops it',
      vim.log.levels.WARN
    )
    return
  end
  local writer = render.writer(buf, true)
  -- A blank line ends the question's "> " quote, so the reply is not read as part of it.
  writer:lines({ '' })
  state.turn = require('punie').ask(
    text,
    vim.tbl_extend('force', writer:callbacks(), {
      root = state.root,
    })
  )
end

local function create()
  local buf = vim.api.nvim_create_buf(true, true)
  vim.api.nvim_buf_set_name(buf, 'punie://chat')
  vim.bo[buf].buftype = 'prompt'
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].swapfile = false
  vim.bo[buf].filetype = 'markdown'
  -- Tree-sitter Markdown (bundled with Neovim) highlights the fenced blocks; optional.
  pcall(vim.treesitter.start, buf, 'markdown')
  vim.fn.prompt_setprompt(buf, PROMPT)
  vim.fn.prompt_setcallback(buf, submit)
  vim.fn.prompt_setinterrupt(buf, M.cancel)
  vim.keymap.set('n', '<C-c>', M.cancel, { buffer = buf, desc = 'Cancel the Punie turn' })
  return buf
end

--- Opens the chat buffer in a split, or focuses the window already showing it. The chat
--- talks to the workspace of the buffer it was opened from.
--- @param opts? { insert?: boolean } start Insert mode at the prompt (default true)
--- @return integer buf
function M.open(opts)
  opts = opts or {}
  if not state.root or not M.buf() then
    state.root = require('punie.config').root_for(vim.api.nvim_get_current_buf())
  end
  local buf = M.buf() or create()
  state.buf = buf
  local win = vim.fn.win_findbuf(buf)[1]
  if win then
    vim.api.nvim_set_current_win(win)
  else
    vim.cmd('botright vsplit')
    vim.api.nvim_win_set_buf(0, buf)
    vim.wo.wrap = true
    vim.wo.linebreak = true
  end
  if opts.insert ~= false then
    vim.cmd('startinsert!')
  end
  return buf
end

--- Asks `text` in the chat buffer as if it was typed at the prompt (used by `:PunieAsk`
--- when `ask_output = "chat"`).
--- @param text string
function M.ask(text)
  local current = vim.api.nvim_get_current_win()
  local buf = M.open({ insert = false })
  local lines = vim.split(text, '\n', { plain = true })
  for i, line in ipairs(lines) do
    lines[i] = PROMPT .. line
  end
  local at = vim.api.nvim_buf_line_count(buf) - 1
  vim.api.nvim_buf_set_lines(buf, at, at, false, lines)
  vim.api.nvim_set_current_win(current)
  submit(text)
end

--- Marks the start of a new conversation in the chat (after `:PunieReset`); the earlier
--- exchange stays readable above the rule.
function M.new_conversation()
  local buf = M.buf()
  if buf then
    M.cancel()
    local at = vim.api.nvim_buf_line_count(buf) - 1
    vim.api.nvim_buf_set_lines(buf, at, at, false, { '---', '_New conversation._', '' })
    vim.bo[buf].modified = false
  end
end

return M
