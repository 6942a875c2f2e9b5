--- Punie's LSP clients: one per workspace root, started or reused through Neovim's own
--- LSP client, plus the few calls whose spelling differs between Neovim 0.10 and 0.11.
local config = require('punie.config')

local M = {}

M.name = 'punie'

local has_011 = vim.fn.has('nvim-0.11') == 1

--- `$/progress` for this client: values for a chat turn's partial-result token go to that
--- turn; everything else (work-done progress) goes to Neovim's default handler.
local function on_progress(err, params, ctx, ...)
  if params and require('punie.turn').route_progress(params, ctx.client_id) then
    return vim.NIL
  end
  return vim.lsp.handlers['$/progress'](err, params, ctx, ...)
end

--- `workspace/applyEdit` for this client (`punie.edits`): a stale edit is answered
--- `applied: false` with the reason (the snippet's `write_file` then raises instead of
--- reporting a write that never happened), one that needs confirmation is reviewed first.
local function on_apply_edit(_, params, ctx)
  local client = assert(vim.lsp.get_client_by_id(ctx.client_id))
  return require('punie.edits').answer(params, client)
end

--- Handlers every Punie client uses (also referenced by `lsp/punie.lua`).
M.handlers = { ['$/progress'] = on_progress, ['workspace/applyEdit'] = on_apply_edit }

--- Neovim's client capabilities, plus what Punie's own `workspace/applyEdit` handler
--- does: document changes with versions, and change annotations (an edit that needs
--- confirmation is reviewed, see `punie.review`).
--- @return lsp.ClientCapabilities
function M.capabilities()
  return vim.tbl_deep_extend('force', vim.lsp.protocol.make_client_capabilities(), {
    workspace = {
      workspaceEdit = {
        documentChanges = true,
        changeAnnotationSupport = { groupsOnLabel = false },
      },
    },
  })
end

--- Fails the turns of a client whose server went away.
--- @param code integer
--- @param signal integer
--- @param client_id integer
function M.on_exit(code, signal, client_id)
  vim.schedule(function()
    require('punie.turn').client_exited(client_id, code, signal)
  end)
end

--- The client config for a workspace root.
--- @param root string
--- @return vim.lsp.ClientConfig
function M.client_config(root)
  local settings = config.server_settings()
  return {
    name = M.name,
    cmd = config.server_cmd(root),
    cmd_cwd = root,
    root_dir = root,
    init_options = settings,
    settings = { punie = settings },
    capabilities = M.capabilities(),
    handlers = M.handlers,
    on_exit = M.on_exit,
  }
end

--- @param client vim.lsp.Client
--- @return boolean
local function is_stopped(client)
  if has_011 then
    return client:is_stopped()
  end
  return client.is_stopped()
end

--- @param client vim.lsp.Client
--- @return string?
local function client_root(client)
  return client.root_dir or client.config.root_dir
end

--- The running Punie client for a root, if any.
--- @param root string
--- @return vim.lsp.Client?
function M.find(root)
  root = vim.fs.normalize(root)
  for _, client in ipairs(vim.lsp.get_clients({ name = M.name })) do
    local client_dir = client_root(client)
    if client_dir and vim.fs.normalize(client_dir) == root and not is_stopped(client) then
      return client
    end
  end
end

--- The Punie client attached to a buffer, if any.
--- @param bufnr integer
--- @return vim.lsp.Client?
function M.for_buffer(bufnr)
  return vim.lsp.get_clients({ name = M.name, bufnr = bufnr })[1]
end

--- The client for a root, started (without attaching a buffer) when none runs.
--- @param root string
--- @return vim.lsp.Client?
function M.ensure(root)
  local client = M.find(root)
  if client then
    return client
  end
  local id
  if has_011 then
    id = vim.lsp.start(M.client_config(root), { attach = false })
  else
    id = vim.lsp.start_client(M.client_config(root))
  end
  return id and vim.lsp.get_client_by_id(id) or nil
end

--- Attaches a file buffer to the client of its root, starting the client if needed.
--- @param bufnr integer
function M.attach(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  -- Only buffers of local files: not help, terminals, prompts or `scheme://` buffers.
  if vim.bo[bufnr].buftype ~= '' or name == '' or name:match('^%a[%w+.-]*://') then
    return
  end
  vim.lsp.start(M.client_config(config.root_for(bufnr)), { bufnr = bufnr })
end

--- Calls `fn(true)` once the client has finished `initialize`, or `fn(false, why)` if it
--- stops first or takes longer than `timeout_ms`.
--- @param client vim.lsp.Client
--- @param fn fun(ok: boolean, why?: string)
--- @param timeout_ms? integer
function M.when_ready(client, fn, timeout_ms)
  if client.initialized then
    return fn(true)
  end
  local deadline = vim.uv.now() + (timeout_ms or 60000)
  local timer = assert(vim.uv.new_timer())
  timer:start(
    20,
    20,
    vim.schedule_wrap(function()
      if timer:is_closing() then
        return
      end
      local why
      if client.initialized then
        why = nil
      elseif is_stopped(client) then
        why = 'punie: the server stopped before it finished starting (see :checkhealth punie)'
      elseif vim.uv.now() > deadline then
        why = 'punie: the server did not finish starting in time'
      else
        return
      end
      timer:close()
      fn(why == nil, why)
    end)
  )
end

--- Sends a request; returns the request id, or nil when the client has shut down.
--- @param client vim.lsp.Client
--- @param method string
--- @param params table
--- @param handler fun(err: lsp.ResponseError?, result: any)
--- @return integer?
function M.request(client, method, params, handler)
  local ok, id
  if has_011 then
    ok, id = client:request(method, params, handler)
  else
    ok, id = client.request(method, params, handler)
  end
  return ok and id or nil
end

--- Sends a request and waits for its answer.
--- @return { err: lsp.ResponseError?, result: any }?, string?
function M.request_sync(client, method, params, timeout_ms)
  if has_011 then
    return client:request_sync(method, params, timeout_ms)
  end
  return client.request_sync(method, params, timeout_ms)
end

--- Cancels a request (`$/cancelRequest`).
--- @param client vim.lsp.Client
--- @param request_id integer
function M.cancel(client, request_id)
  if has_011 then
    client:cancel_request(request_id)
  else
    client.cancel_request(request_id)
  end
end

return M
