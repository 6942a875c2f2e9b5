--- Punie's options: defaults, the user's overrides, and what they become on the wire.
local M = {}

--- @class punie.Options
--- @field cmd? string[] Server command; nil runs `punie serve` from the project's .venv, else PATH.
--- @field model? string a GGUF file, an mlx-lm model or adapter directory, a hub id, or "smollm2"; nil uses the embedded model.
--- @field max_turns? integer Code Mode turns per question (server default 4).
--- @field auto_allow? string[] Commands that run without asking (server default list when nil).
--- @field typecheck_on_save? boolean Run ty on save and publish its diagnostics.
--- @field writes? 'ask'|'auto' Review each edit before it lands (server default `ask`), or not.
--- @field root_markers? string[] Files that mark a workspace root.
--- @field ask_output? 'float'|'chat' Where `:PunieAsk` shows its reply.

--- @type punie.Options
M.defaults = {
  cmd = nil,
  model = nil,
  max_turns = nil,
  auto_allow = nil,
  typecheck_on_save = true,
  writes = nil,
  root_markers = { 'pyproject.toml', 'setup.py', 'setup.cfg', '.git' },
  ask_output = 'float',
}

--- @type punie.Options
M.options = vim.deepcopy(M.defaults)

-- Checked by hand rather than with vim.validate, whose signature changed between 0.10 and 0.11.
local option_types = {
  cmd = 'table',
  model = 'string',
  max_turns = 'number',
  auto_allow = 'table',
  typecheck_on_save = 'boolean',
  writes = 'string',
  root_markers = 'table',
  ask_output = 'string',
}

--- Merges `opts` over the defaults and validates them.
--- @param opts? punie.Options
function M.set(opts)
  opts = opts or {}
  for name in pairs(opts) do
    if not option_types[name] then
      error(('punie: unknown option %s'):format(vim.inspect(name)))
    end
  end
  for name, kind in pairs(option_types) do
    if opts[name] ~= nil and type(opts[name]) ~= kind then
      error(('punie: option %s must be a %s, got %s'):format(name, kind, vim.inspect(opts[name])))
    end
  end
  if opts.ask_output ~= nil and opts.ask_output ~= 'float' and opts.ask_output ~= 'chat' then
    error("punie: ask_output must be 'float' or 'chat', got " .. vim.inspect(opts.ask_output))
  end
  if opts.writes ~= nil and opts.writes ~= 'ask' and opts.writes ~= 'auto' then
    error("punie: writes must be 'ask' or 'auto', got " .. vim.inspect(opts.writes))
  end
  M.options = vim.tbl_extend('force', vim.deepcopy(M.defaults), opts)
end

--- The server command for a workspace root: the configured one, else the project's
--- `.venv/bin/punie serve` when it exists, else `punie serve` from PATH.
--- @param root string
--- @return string[]
function M.server_cmd(root)
  if M.options.cmd then
    return M.options.cmd
  end
  local venv_punie = vim.fs.joinpath(root, '.venv', 'bin', 'punie')
  if vim.fn.executable(venv_punie) == 1 then
    return { venv_punie, 'serve' }
  end
  return { 'punie', 'serve' }
end

--- The `initializationOptions` / `punie` settings section (PROTOCOL.md §2), camelCase,
--- with unset options left out so the server's defaults apply.
--- @return table
function M.server_settings()
  local o = M.options
  local settings = {
    model = o.model,
    maxTurns = o.max_turns,
    typecheckOnSave = o.typecheck_on_save,
  }
  if o.auto_allow then
    settings.commands = { autoAllow = o.auto_allow }
  end
  if o.writes then
    settings.approval = { writes = o.writes }
  end
  return settings
end

--- The workspace root of a buffer: the nearest directory holding a root marker, else the
--- current working directory.
--- @param bufnr integer
--- @return string
function M.root_for(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name ~= '' and vim.bo[bufnr].buftype == '' then
    local root = vim.fs.root(bufnr, M.options.root_markers)
    if root then
      return root
    end
  end
  return vim.fn.getcwd()
end

return M
