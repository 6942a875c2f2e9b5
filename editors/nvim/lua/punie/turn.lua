--- One chat turn: the `punie/chat` request, the values streamed to its partial-result
--- token, and its cancellation.
local clients = require('punie.client')

local M = {}

--- LSP `RequestCancelled`.
M.REQUEST_CANCELLED = -32800

-- How long a cancelled turn waits for the server's acknowledgement before giving up on it.
local CANCEL_ACK_TIMEOUT_MS = 10000

--- @class punie.Callbacks
--- @field on_text? fun(delta: string) A streamed piece of the reply.
--- @field on_code? fun(code: string) A snippet about to run.
--- @field on_step? fun(step: table) A snippet that has run (`Step`).
--- @field on_done? fun(result: table?, err: table?) The `ChatResult`, or an error `{code?, message}`.

--- @class punie.Turn
--- @field client vim.lsp.Client
--- @field token string
--- @field request_id integer?
--- @field done boolean
--- @field cancelling boolean
--- @field callbacks punie.Callbacks
local Turn = {}
Turn.__index = Turn

--- @type table<string, punie.Turn> unfinished turns by partial-result token
local by_token = {}
local counter = 0

--- @param why string
--- @return table
local function cancelled_error(why)
  return { code = M.REQUEST_CANCELLED, message = why }
end

--- Ends the turn once: forgets it and calls `on_done`.
--- @param result table?
--- @param err table?
function Turn:finish(result, err)
  if self.done then
    return
  end
  self.done = true
  by_token[self.token] = nil
  -- An edit still under review belongs to this turn; nobody waits for its answer now.
  require('punie.review').reject_all(self.client.id)
  if self.callbacks.on_done then
    self.callbacks.on_done(result, err)
  end
end

--- @param value table a `$/progress` value: `{kind = "text"|"code"|"step", ...}`
function Turn:progress(value)
  if self.done or type(value) ~= 'table' then
    return
  end
  local cb = self.callbacks
  if value.kind == 'text' and cb.on_text then
    cb.on_text(value.delta)
  elseif value.kind == 'code' and cb.on_code then
    cb.on_code(value.code)
  elseif value.kind == 'step' and cb.on_step then
    cb.on_step(value.step)
  end
end

--- Cancels the turn: sends `$/cancelRequest`; `on_done` then gets a `RequestCancelled`
--- error once the server has stopped (or after a timeout if it never says so).
function Turn:cancel()
  if self.done or self.cancelling then
    return
  end
  self.cancelling = true
  if not self.request_id then
    return self:finish(nil, cancelled_error('cancelled before it was sent'))
  end
  clients.cancel(self.client, self.request_id)
  vim.defer_fn(function()
    self:finish(nil, cancelled_error('cancelled (the server did not acknowledge in time)'))
  end, CANCEL_ACK_TIMEOUT_MS)
end

--- Whether the turn has ended.
--- @return boolean
function Turn:is_done()
  return self.done
end

--- Starts a turn: sends `punie/chat` once the client is ready.
--- @param client vim.lsp.Client
--- @param message string
--- @param session_id string?
--- @param callbacks punie.Callbacks
--- @return punie.Turn
function M.start(client, message, session_id, callbacks)
  counter = counter + 1
  local self = setmetatable({
    client = client,
    token = ('punie-chat-%d'):format(counter),
    done = false,
    cancelling = false,
    callbacks = callbacks,
  }, Turn)
  by_token[self.token] = self
  clients.when_ready(client, function(ok, why)
    if self.done then
      return
    end
    if not ok then
      return self:finish(nil, { message = why })
    end
    local params = {
      message = message,
      sessionId = session_id,
      partialResultToken = self.token,
      workDoneToken = self.token .. '-work',
    }
    self.request_id = clients.request(client, 'punie/chat', params, function(err, result)
      self:finish(result, err)
    end)
    if not self.request_id then
      self:finish(nil, { message = 'punie: the server is not running' })
    end
  end)
  return self
end

--- Delivers a `$/progress` notification to the turn that owns its token.
--- @param params { token: string|integer, value: any }
--- @param client_id integer
--- @return boolean handled
function M.route_progress(params, client_id)
  local turn = by_token[params.token]
  if not turn or turn.client.id ~= client_id then
    return false
  end
  turn:progress(params.value)
  return true
end

--- Fails every turn of a client whose server exited.
--- @param client_id integer
--- @param code integer
--- @param signal integer
function M.client_exited(client_id, code, signal)
  for _, turn in pairs(by_token) do
    if turn.client.id == client_id then
      turn:finish(
        nil,
        { message = ('punie: the server exited (code %d, signal %d)'):format(code, signal) }
      )
    end
  end
end

--- The turns that have not ended.
--- @return punie.Turn[]
function M.running()
  return vim.tbl_values(by_token)
end

-- Neovim's RPC layer drops a `RequestCancelled` reply before it reaches the request's
-- handler; the only trace of the server's acknowledgement is the request completing
-- (`LspRequest` "complete") without a result. A result, when there is one, is delivered in
-- the same tick, so a turn still open on the next tick was acknowledged as cancelled.
vim.api.nvim_create_autocmd('LspRequest', {
  group = vim.api.nvim_create_augroup('punie.turn', { clear = true }),
  callback = function(args)
    local data = args.data
    if data.request.type ~= 'complete' then
      return
    end
    for _, turn in pairs(by_token) do
      if turn.client.id == data.client_id and turn.request_id == data.request_id then
        vim.schedule(function()
          turn:finish(nil, cancelled_error('cancelled'))
        end)
      end
    end
  end,
})

return M
