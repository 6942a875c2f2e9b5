--- `workspace/applyEdit` for Punie's client: refuse what was computed from text the
--- buffer no longer holds, let the user review an edit that needs confirmation, apply it
--- with Neovim's own `vim.lsp.util.apply_workspace_edit`, keep the final newline right and
--- say where the edit landed.
local M = {}

--- @param uri string
--- @return string
local function shown_name(uri)
  return vim.fn.fnamemodify(vim.uri_to_fname(uri), ':~:.')
end

--- The loaded buffer of `uri`, without creating one.
--- @param uri string
--- @return integer?
local function loaded_buffer(uri)
  local bufnr = vim.fn.bufnr(vim.uri_to_fname(uri))
  if bufnr > 0 and vim.api.nvim_buf_is_loaded(bufnr) then
    return bufnr
  end
end

--- The text document edits of a workspace edit.
--- @param edit lsp.WorkspaceEdit
--- @return lsp.TextDocumentEdit[]
local function document_edits(edit)
  local found = {}
  for _, change in ipairs(edit.documentChanges or {}) do
    if change.textDocument then
      table.insert(found, change)
    end
  end
  return found
end

--- Why `edit` must not be applied, or nil. A `TextDocumentEdit` pinned to a version other
--- than its buffer's (`vim.lsp.util.buf_versions`, the version Neovim last told the
--- servers) was computed from text the buffer no longer holds: Neovim's own
--- `apply_text_document_edit` skips such an edit yet reports it applied, and checks only
--- the first change; this checks every one. An edit without a version was computed from
--- the file on disk, which is wrong for a buffer with unsaved changes this client never
--- told the server about (a buffer it is not attached to).
--- @param edit lsp.WorkspaceEdit
--- @param client_id integer
--- @return string?
function M.stale_reason(edit, client_id)
  for _, change in ipairs(document_edits(edit)) do
    local document = change.textDocument
    local version = document.version
    if version ~= nil and version ~= vim.NIL then
      local bufnr = vim.uri_to_bufnr(document.uri)
      local current = vim.lsp.util.buf_versions[bufnr] or 0
      if current ~= version then
        return string.format(
          '%s changed since the edit was made (version %d, edit for %d)',
          shown_name(document.uri),
          current,
          version
        )
      end
    else
      local bufnr = loaded_buffer(document.uri)
      if
        bufnr
        and vim.bo[bufnr].modified
        and #vim.lsp.get_clients({ id = client_id, bufnr = bufnr }) == 0
      then
        return shown_name(document.uri)
          .. ' has unsaved changes Punie cannot see (the buffer is not attached); save it first'
      end
    end
  end
end

--- The length of `line` in `encoding`'s code units.
--- @param line string
--- @param encoding string
--- @return integer
local function units(line, encoding)
  if encoding == 'utf-8' then
    return #line
  elseif encoding == 'utf-16' then
    return vim.fn.strutf16len(line)
  end
  return vim.fn.strchars(line)
end

--- How many line breaks `text` holds, counted as LSP does (`\n`, `\r\n`, `\r`).
--- @param text string
--- @return integer
local function line_breaks(text)
  local _, count = text:gsub('\r\n', '\n'):gsub('[\r\n]', '')
  return count
end

--- The shape the buffer must have once `edits` are applied: how many lines, and whether
--- it ends with a line break. Neovim stores the final line break as the 'eol' option,
--- which `apply_text_edits` never clears and may leave as an extra empty last line.
--- @param bufnr integer
--- @param edits lsp.TextEdit[]
--- @param encoding string
--- @return { lines: integer, eol: boolean }
local function shape_after(bufnr, edits, encoding)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, true)
  local count, eol = #lines, vim.bo[bufnr].eol
  local ending = ({ unix = '\n', dos = '\r\n', mac = '\r' })[vim.bo[bufnr].fileformat]
  local breaks = line_breaks(table.concat(lines, ending)) + (eol and 1 or 0)
  local last_units = units(lines[count], encoding)
  local final --- @type lsp.TextEdit? the last edit that reaches the end of the buffer
  for _, edit in ipairs(edits) do
    local start, finish = edit.range.start, edit.range['end']
    breaks = breaks - (finish.line - start.line) + line_breaks(edit.newText)
    local reaches = finish.line >= count
      or (not eol and finish.line == count - 1 and finish.character >= last_units)
    local later = final == nil
      or start.line > final.range.start.line
      or (start.line == final.range.start.line and start.character >= final.range.start.character)
    if reaches and later then
      final = edit
    end
  end
  local ends = eol
  if final and final.newText ~= '' then
    ends = final.newText:match('[\r\n]$') ~= nil
  elseif final then
    -- Nothing inserted at the end: the text before the edit's start ends the buffer.
    local start = final.range.start
    if start.line >= count then
      ends = eol
    else
      ends = start.character == 0 and start.line > 0
    end
  end
  return { lines = ends and breaks or breaks + 1, eol = ends }
end

--- Gives each buffer the shape its edits made: drops the empty last line Neovim leaves
--- for a final line break and sets 'eol'.
--- @param shapes table<integer, { lines: integer, eol: boolean }>
local function fix_final_line_breaks(shapes)
  for bufnr, shape in pairs(shapes) do
    local count = vim.api.nvim_buf_line_count(bufnr)
    local last = vim.api.nvim_buf_get_lines(bufnr, count - 1, count, true)[1]
    if count == shape.lines + 1 and last == '' then
      vim.api.nvim_buf_set_lines(bufnr, count - 1, count, true, {})
    end
    vim.bo[bufnr].eol = shape.eol
  end
end

--- Applies `edit` with Neovim's `apply_workspace_edit`, then sets the final line breaks.
--- @param edit lsp.WorkspaceEdit
--- @param encoding string
local function apply(edit, encoding)
  local shapes = {}
  for _, change in ipairs(document_edits(edit)) do
    local bufnr = vim.uri_to_bufnr(change.textDocument.uri)
    vim.fn.bufload(bufnr)
    shapes[bufnr] = shape_after(bufnr, change.edits, encoding)
  end
  vim.lsp.util.apply_workspace_edit(edit, encoding)
  fix_final_line_breaks(shapes)
end

--- Whether an edit asks the user to confirm it (a change annotation that needs it).
--- @param edit lsp.WorkspaceEdit
--- @return boolean
function M.needs_review(edit)
  for _, annotation in pairs(edit.changeAnnotations or {}) do
    if annotation.needsConfirmation then
      return true
    end
  end
  return false
end

--- The files an edit touches, as shown to the user.
--- @param edit lsp.WorkspaceEdit
--- @return string[]
local function touched(edit)
  local names, seen = {}, {}
  for _, change in ipairs(edit.documentChanges or {}) do
    local uri = change.uri or (change.textDocument and change.textDocument.uri)
    if uri and not seen[uri] then
      seen[uri] = true
      table.insert(names, shown_name(uri))
    end
  end
  return names
end

--- Answers `workspace/applyEdit` for `client`: refused when stale, reviewed when the edit
--- needs confirmation (the handler then waits in its coroutine for the user), applied and
--- announced otherwise.
--- @param params lsp.ApplyWorkspaceEditParams
--- @param client vim.lsp.Client
--- @return lsp.ApplyWorkspaceEditResult
function M.answer(params, client)
  local edit = params.edit
  local reason = M.stale_reason(edit, client.id)
  if reason then
    return { applied = false, failureReason = reason }
  end
  if M.needs_review(edit) then
    local accepted = require('punie.review').ask(edit, client)
    if not accepted then
      return { applied = false, failureReason = 'rejected in review' }
    end
    -- The user may have typed while reading the diff.
    reason = M.stale_reason(edit, client.id)
    if reason then
      return { applied = false, failureReason = reason }
    end
  end
  local ok, err = pcall(apply, edit, client.offset_encoding)
  if not ok then
    return { applied = false, failureReason = tostring(err) }
  end
  vim.notify(
    ('punie: edited %s (not saved)'):format(table.concat(touched(edit), ', ')),
    vim.log.levels.INFO
  )
  return { applied = true }
end

return M
