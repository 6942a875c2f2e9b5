--- The review of an edit that needs the user's confirmation: a split showing the diff of
--- every file the edit changes (the buffer as Neovim holds it, against the same text with
--- the edit applied); `a` accepts the edit, `r` or `q` rejects it, and so does closing
--- the window.
local M = {}

M.ACCEPT, M.REJECT = 'a', 'r'

--- @class punie.Review
--- @field buf integer
--- @field client_id integer
--- @field from integer the window the review was opened from (focused again after it)
--- @field answer fun(accepted: boolean)

--- @type table<integer, punie.Review> open reviews by review buffer
local open = {}
local counter = 0

--- @param uri string
--- @return string
local function shown_name(uri)
  return vim.fn.fnamemodify(vim.uri_to_fname(uri), ':~:.')
end

--- The lines of `uri`'s buffer (loaded for the review if needed), or nil for a file that
--- does not exist yet.
--- @param uri string
--- @param created boolean the edit creates the file
--- @return string[]?, integer?
local function current_lines(uri, created)
  if created and vim.fn.filereadable(vim.uri_to_fname(uri)) == 0 then
    return nil, nil
  end
  local bufnr = vim.uri_to_bufnr(uri)
  vim.fn.bufload(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, true), bufnr
end

--- `lines` with `edits` applied, by Neovim's `apply_text_edits` on a scratch copy that has
--- the source buffer's line-ending options.
--- @param lines string[]
--- @param source integer?
--- @param edits lsp.TextEdit[]
--- @param encoding string
--- @return string[]
local function edited_lines(lines, source, edits, encoding)
  local scratch = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(scratch, 0, -1, true, lines)
  if source then
    for _, option in ipairs({ 'fileformat', 'eol', 'fixeol' }) do
      vim.bo[scratch][option] = vim.bo[source][option]
    end
  end
  vim.lsp.util.apply_text_edits(vim.deepcopy(edits), scratch, encoding)
  local after = vim.api.nvim_buf_get_lines(scratch, 0, -1, true)
  vim.api.nvim_buf_delete(scratch, { force = true })
  return after
end

--- The unified diff of every document `edit` changes, with `---`/`+++` headers.
--- @param edit lsp.WorkspaceEdit
--- @param encoding string
--- @return string[] lines, string[] names
function M.diff(edit, encoding)
  local created, out, names = {}, {}, {}
  for _, change in ipairs(edit.documentChanges or {}) do
    if change.kind == 'create' then
      created[change.uri] = true
      table.insert(names, shown_name(change.uri))
    elseif change.textDocument then
      local uri = change.textDocument.uri
      local before, source = current_lines(uri, created[uri] == true)
      local after = edited_lines(before or { '' }, source, change.edits, encoding)
      local name = shown_name(uri)
      if not vim.tbl_contains(names, name) then
        table.insert(names, name)
      end
      local a = before and (table.concat(before, '\n') .. '\n') or ''
      local hunks = vim.diff(a, table.concat(after, '\n') .. '\n', { ctxlen = 3 }) --[[@as string]]
      table.insert(out, before and ('--- a/' .. name) or '--- /dev/null')
      table.insert(out, '+++ b/' .. name)
      vim.list_extend(out, vim.split((hunks:gsub('\n$', '')), '\n', { plain = true }))
    end
  end
  return out, names
end

--- @param review punie.Review
--- @param accepted boolean
local function close(review, accepted)
  if not open[review.buf] then
    return
  end
  open[review.buf] = nil
  for _, win in ipairs(vim.fn.win_findbuf(review.buf)) do
    if #vim.api.nvim_list_wins() > 1 then
      vim.api.nvim_win_close(win, true)
    end
  end
  if vim.api.nvim_buf_is_valid(review.buf) then
    vim.api.nvim_buf_delete(review.buf, { force = true })
  end
  if vim.api.nvim_win_is_valid(review.from) then
    vim.api.nvim_set_current_win(review.from)
  end
  review.answer(accepted)
end

--- Shows the review of `edit` and calls `answer(accepted)` once the user decides.
--- @param edit lsp.WorkspaceEdit
--- @param encoding string
--- @param client_id integer
--- @param answer fun(accepted: boolean)
--- @return integer buf the review buffer
function M.open(edit, encoding, client_id, answer)
  local diff, names = M.diff(edit, encoding)
  local lines = {
    ('Punie wants to edit %s.'):format(table.concat(names, ', ')),
    ('%s: accept   %s or q: reject'):format(M.ACCEPT, M.REJECT),
    '',
  }
  vim.list_extend(lines, diff)
  counter = counter + 1
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(buf, ('punie://review/%d'):format(counter))
  vim.api.nvim_buf_set_lines(buf, 0, -1, true, lines)
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = 'diff'
  local review = {
    buf = buf,
    client_id = client_id,
    from = vim.api.nvim_get_current_win(),
    answer = answer,
  }
  open[buf] = review
  local function decide(accepted)
    return function()
      close(review, accepted)
    end
  end
  vim.keymap.set('n', M.ACCEPT, decide(true), { buffer = buf, desc = 'Accept the Punie edit' })
  vim.keymap.set('n', M.REJECT, decide(false), { buffer = buf, desc = 'Reject the Punie edit' })
  vim.keymap.set('n', 'q', decide(false), { buffer = buf, desc = 'Reject the Punie edit' })
  vim.api.nvim_create_autocmd('BufWipeout', { buffer = buf, once = true, callback = decide(false) })
  vim.cmd('botright split')
  vim.api.nvim_win_set_buf(0, buf)
  vim.api.nvim_win_set_height(0, math.max(8, math.min(#lines + 1, math.floor(vim.o.lines / 2))))
  return buf
end

--- Asks the user about `edit` and waits (yielding the server request's coroutine) for
--- the answer: true when accepted.
--- @param edit lsp.WorkspaceEdit
--- @param client vim.lsp.Client
--- @return boolean
function M.ask(edit, client)
  local co = coroutine.running()
  assert(co, 'punie: an edit review waits in a server request handler')
  local answered = nil --- @type boolean?
  M.open(edit, client.offset_encoding, client.id, function(accepted)
    answered = accepted
    if coroutine.status(co) == 'suspended' then
      vim.schedule(function()
        coroutine.resume(co, accepted)
      end)
    end
  end)
  if answered ~= nil then
    return answered
  end
  return coroutine.yield()
end

--- The review buffers still waiting for an answer.
--- @return integer[]
function M.pending()
  return vim.tbl_keys(open)
end

--- Rejects every open review of a client (its turn ended: nobody waits for the answer).
--- @param client_id integer
function M.reject_all(client_id)
  for _, review in pairs(open) do
    if review.client_id == client_id then
      close(review, false)
    end
  end
end

return M
