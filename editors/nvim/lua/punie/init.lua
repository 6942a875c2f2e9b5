--- Punie for Neovim: a chat with Punie's Code Mode agent over Neovim's built-in LSP client.
---
--- Public API: `setup(opts)`, `ask(text, callbacks)`, `cancel()`, `reset()`, `status()`.
--- See `:help punie`.
local clients = require('punie.client')
local config = require('punie.config')
local turn = require('punie.turn')

local M = {}

--- @type table<integer, string> session id by client id
local sessions = {}
--- @type table? usage of the last finished turn
local last_usage = nil

--- The client to talk to: the one attached to the current buffer, else the one of `root`
--- (or of the current buffer's workspace), started when needed.
--- @param root? string
--- @return vim.lsp.Client?
local function client_for(root)
  if not root then
    local attached = clients.for_buffer(vim.api.nvim_get_current_buf())
    if attached then
      return attached
    end
    root = config.root_for(vim.api.nvim_get_current_buf())
  end
  return clients.ensure(root)
end

--- Configures Punie and attaches its client to every file buffer, whatever its filetype
--- (one client per workspace root): the server must see each unsaved buffer it may edit.
--- @param opts? punie.Options
function M.setup(opts)
  config.set(opts)
  local group = vim.api.nvim_create_augroup('punie.attach', { clear = true })
  vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile', 'FileType' }, {
    group = group,
    callback = function(args)
      clients.attach(args.buf)
    end,
  })
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) then
      clients.attach(buf)
    end
  end
end

--- @class punie.AskOpts: punie.Callbacks
--- @field root? string workspace root (default: the current buffer's)

--- Asks Punie `text`: sends `punie/chat` (continuing this workspace's session), streams the
--- reply to the callbacks, and returns a handle whose `:cancel()` stops the turn.
--- @param text string
--- @param opts? punie.AskOpts
--- @return punie.Turn?
function M.ask(text, opts)
  opts = opts or {}
  local client = client_for(opts.root)
  if not client then
    local err = { message = 'punie: could not start the server (see :checkhealth punie)' }
    if opts.on_done then
      opts.on_done(nil, err)
    else
      vim.notify(err.message, vim.log.levels.ERROR)
    end
    return nil
  end
  local client_id = client.id
  return turn.start(client, text, sessions[client_id], {
    on_text = opts.on_text,
    on_code = opts.on_code,
    on_step = opts.on_step,
    on_done = function(result, err)
      if result then
        sessions[client_id] = result.sessionId
        last_usage = result.usage
      end
      if opts.on_done then
        opts.on_done(result, err)
      end
    end,
  })
end

--- Cancels every running turn.
function M.cancel()
  for _, running in ipairs(turn.running()) do
    running:cancel()
  end
end

--- Forgets the current workspace's session (`punie/reset`): the next question starts a
--- new conversation.
--- @param root? string
function M.reset(root)
  local client = root and clients.find(root) or client_for(nil)
  if not client then
    return
  end
  local session_id = sessions[client.id]
  sessions[client.id] = nil
  if session_id then
    clients.request(client, 'punie/reset', { sessionId = session_id }, function(err)
      if err then
        vim.notify('punie: reset failed: ' .. tostring(err.message), vim.log.levels.WARN)
      end
    end)
  end
end

--- @class punie.Status
--- @field root string
--- @field running boolean a server runs for this workspace
--- @field busy boolean a turn is running
--- @field server table? the server's `punie/status` result
--- @field error string? why the server could not be asked
--- @field session_id string?
--- @field last_usage table? usage of the last finished turn

--- Punie's state for the current workspace (asks the server `punie/status`, waiting up to
--- `timeout_ms`, default 5000). Does not start a server.
--- @param timeout_ms? integer
--- @return punie.Status
function M.status(timeout_ms)
  local buf = vim.api.nvim_get_current_buf()
  local client = clients.for_buffer(buf) or clients.find(config.root_for(buf))
  local status = {
    root = client and (client.root_dir or client.config.root_dir) or config.root_for(buf),
    running = client ~= nil,
    busy = #turn.running() > 0,
    last_usage = last_usage,
    session_id = client and sessions[client.id] or nil,
  }
  if client then
    local answer, why = clients.request_sync(client, 'punie/status', {}, timeout_ms or 5000)
    if answer and answer.err then
      status.error = tostring(answer.err.message)
    elseif answer then
      status.server = answer.result
    else
      status.error = 'no answer to punie/status: ' .. tostring(why)
    end
  end
  return status
end

return M
