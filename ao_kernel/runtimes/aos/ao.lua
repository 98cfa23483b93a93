-- .ao: the `ao` library: process identity, trust, the outbox and its message shapes.
--
--   ao.send(msg)          -> outbox.Messages  {Target, Data, Anchor, Tags}
--   ao.spawn(module, msg) -> outbox.Spawns    {Data, Anchor, Tags}
--   ao.assign(a)          -> outbox.Assignments {Processes, Message[, Exclude, ...]}
-- Every send/spawn increments ao.reference (kept across messages); it becomes the
-- Reference tag and the 32-digit zero-padded Anchor. Root keys of an outgoing
-- message become tags in sorted key order (deterministic), then msg.Tags in their
-- own order. A table Data is JSON-encoded (on the caller's table) and the root key
-- Content-Type set to application/json.
local json = require("json")
local utils = require(".utils")

local ao = rawget(_G, "ao") or {}
ao._version = "0.0.6"
ao.id = ao.id
ao.reference = ao.reference or 0
ao.authorities = ao.authorities or {}
ao.assignables = ao.assignables or {}
ao.outbox = ao.outbox or { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
ao.hints = ao.hints or {}

local function set(list)
  local s = {}
  for _, v in ipairs(list) do s[v] = true end
  return s
end

ao.nonExtractableTags = {
  "Data-Protocol", "Variant", "From-Process", "From-Module", "Type",
  "From", "Owner", "Anchor", "Target", "Data", "Tags", "Read-Only",
}
ao.nonForwardableTags = {
  "Data-Protocol", "Variant", "From-Process", "From-Module", "Type",
  "From", "Owner", "Anchor", "Target", "Tags", "TagArray", "Hash-Chain",
  "Timestamp", "Nonce", "Epoch", "Signature", "Forwarded-By", "Pushed-For",
  "Read-Only", "Cron", "Block-Height", "Reference", "Id", "Reply-To",
}
local nonExtractable = set(ao.nonExtractableTags)
local nonForwardable = set(ao.nonForwardableTags)
local notTags = set({ "Target", "Data", "Anchor", "Tags", "From" })

-- Tags given as an array of {name, value} or as a map, in a stable order.
local function tagList(tags)
  local out = {}
  if type(tags) ~= "table" then return out end
  if tags[1] ~= nil or next(tags) == nil then
    for _, t in ipairs(tags) do out[#out + 1] = { name = t.name, value = t.value } end
    return out
  end
  local names = {}
  for k in pairs(tags) do names[#names + 1] = k end
  table.sort(names, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(names) do out[#out + 1] = { name = k, value = tags[k] } end
  return out
end
ao._tagList = tagList

local function sortedKeys(t, skip)
  local keys = {}
  for k in pairs(t) do
    if not skip[k] then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

function ao.clone(obj, seen)
  if type(obj) ~= "table" then return obj end
  seen = seen or {}
  if seen[obj] then return seen[obj] end
  local copy = {}
  seen[obj] = copy
  for k, v in pairs(obj) do copy[ao.clone(k, seen)] = ao.clone(v, seen) end
  return setmetatable(copy, getmetatable(obj))
end

local function pad32(n)
  return string.format("%032d", n)
end

-- A table Data is JSON-encoded in place, on the caller's table, and the root key
-- Content-Type set to application/json (replacing any root Content-Type; one given in
-- msg.Tags is still appended after it). As the real module does in ao.send and
-- ao.spawn, so Send, Spawn, msg.reply and msg.forward all do it (recording
-- send_json_data).
local function encodeData(msg)
  if type(msg.Data) == "table" then
    msg.Data = json.encode(msg.Data)
    msg["Content-Type"] = "application/json"
  end
end

local function nextReference()
  ao.reference = ao.reference + 1
  return ao.reference
end

-- A function value cannot cross JSON: the real module's encoder drops it, leaving a
-- tag without a value and a message without Data (recording reply_reference_origin).
local function plain(v)
  if type(v) == "function" then return nil end
  return v
end

local function appendRootAndTags(tags, msg)
  for _, k in ipairs(sortedKeys(msg, notTags)) do
    tags[#tags + 1] = { name = k, value = plain(msg[k]) }
  end
  for _, t in ipairs(tagList(msg.Tags)) do tags[#tags + 1] = t end
end

function ao.send(msg)
  encodeData(msg)  -- first, as the real wrapper: a nil msg fails indexing it
  assert(type(msg) == "table", "msg should be a table")
  local ref = nextReference()
  local refString = tostring(ref)
  local tags = {
    { name = "Data-Protocol", value = "ao" },
    { name = "Variant", value = "ao.TN.1" },
    { name = "Type", value = "Message" },
    { name = "Reference", value = refString },
  }
  appendRootAndTags(tags, msg)
  local message = { Target = msg.Target, Anchor = pad32(ref), Tags = tags, Data = plain(msg.Data) }
  table.insert(ao.outbox.Messages, message)

  local ext = {}
  for k, v in pairs(message) do ext[k] = v end
  ext.onReply = function(from, handle)
    if type(from) == "function" then from, handle = msg.Target, from end
    Handlers.once({ From = from, ["X-Reference"] = refString }, handle)
  end
  ext.receive = function(from)
    return Handlers.receive({ From = from or msg.Target, ["X-Reference"] = refString })
  end
  return ext
end

function ao.spawn(module, msg)
  encodeData(msg)  -- first, as the real wrapper: a nil msg fails indexing it
  assert(type(module) == "string", "Module source id is required!")
  assert(type(msg) == "table", "Message must be a table")
  local ref = nextReference()
  local refString = tostring(ref)
  local tags = {
    { name = "Data-Protocol", value = "ao" },
    { name = "Variant", value = "ao.TN.1" },
    { name = "Type", value = "Process" },
    { name = "From-Process", value = ao.id },
    { name = "From-Module", value = ao._module },
    { name = "Module", value = module },
    { name = "Reference", value = refString },
  }
  appendRootAndTags(tags, msg)
  local spawn = { Anchor = pad32(ref), Tags = tags }
  spawn.Data = plain(msg.Data) or "NODATA"
  table.insert(ao.outbox.Spawns, spawn)

  local ext = {}
  for k, v in pairs(spawn) do ext[k] = v end
  local pattern = { Action = "Spawned", From = ao.id, Reference = refString }
  ext.onReply = function(handle) Handlers.once(pattern, handle) end
  ext.receive = function() return Handlers.receive(pattern) end
  return ext
end

function ao.assign(assignment)
  assert(type(assignment) == "table", "assignment should be a table")
  assert(type(assignment.Processes) == "table", "Processes should be a table")
  assert(type(assignment.Message) == "string", "Message should be a string")
  -- the table goes into the outbox whole: Exclude (and any other key) is kept
  table.insert(ao.outbox.Assignments, assignment)
end

-- ao.isTrusted(msg): From or Owner is one of the process's Authority addresses.
function ao.isTrusted(msg)
  for _, authority in ipairs(ao.authorities) do
    if msg.From == authority or msg.Owner == authority then return true end
  end
  return false
end

-- Assignments: a message addressed to another process is only accepted when an
-- assignable MatchSpec (ao.addAssignable) matches it.
function ao.isAssignment(msg)
  return msg.Target ~= ao.id
end

function ao.addAssignable(name, spec)
  if spec == nil then name, spec = nil, name end
  for _, a in ipairs(ao.assignables) do
    if name ~= nil and a.name == name then a.pattern = spec; return end
  end
  table.insert(ao.assignables, { name = name, pattern = spec })
end

function ao.removeAssignable(key)
  if type(key) == "number" then
    table.remove(ao.assignables, key)
    return
  end
  for i, a in ipairs(ao.assignables) do
    if a.name == key then table.remove(ao.assignables, i); return end
  end
end

function ao.isAssignable(msg)
  for _, a in ipairs(ao.assignables) do
    local r = utils.matchesSpec(msg, a.pattern)
    if r and r ~= 0 and r ~= "skip" then return true end
  end
  return false
end

-- ao.init(env): identity, module, authorities and a fresh outbox for this message.
function ao.init(env)
  local tags = env.Process.Tags or {}
  if ao.id == nil then ao.id = env.Process.Id end
  local list = tags
  if type(tags) == "table" and tags[1] == nil and next(tags) ~= nil then
    list = env.Process.TagArray or tagList(tags)
  end
  for _, t in ipairs(list) do
    if t.name == "Module" and ao._module == nil then ao._module = t.value end
    if t.name == "Authority" and type(t.value) == "string" then
      -- split on commas only: " MU2" keeps its space and so trusts nobody, as in
      -- the real module (recording trust_authority_spaces)
      for authority in t.value:gmatch("[^,]+") do
        local known = false
        for _, a in ipairs(ao.authorities) do
          if a == authority then known = true; break end
        end
        if not known then table.insert(ao.authorities, authority) end
      end
    end
  end
  if ao._module == nil and type(env.Module) == "table" then ao._module = env.Module.Id end
  ao.outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
  ao.env = env
end

-- ao.normalize(msg): lift every extractable tag onto the message (later wins).
function ao.normalize(msg)
  for _, t in ipairs(msg.Tags or {}) do
    if not nonExtractable[t.name] then msg[t.name] = t.value end
  end
  return msg
end

-- ao.sanitize(msg): a deep copy without the keys that must not be forwarded.
function ao.sanitize(msg)
  local out = {}
  for k, v in pairs(msg) do
    if not nonForwardable[k] and type(v) ~= "function" then out[k] = ao.clone(v) end
  end
  return out
end

function ao.clearOutbox()
  ao.outbox = { Output = {}, Messages = {}, Spawns = {}, Assignments = {} }
end

-- ao.result(r): {Error} alone when anything failed, else Output and the outbox.
function ao.result(r)
  r = r or {}
  if r.Error or ao.outbox.Error then
    return { Error = r.Error or ao.outbox.Error }
  end
  return {
    Output = r.Output or ao.outbox.Output,
    Messages = ao.outbox.Messages,
    Spawns = ao.outbox.Spawns,
    Assignments = ao.outbox.Assignments,
  }
end

function ao.log(txt)
  if type(ao.outbox.Output) == "string" then ao.outbox.Output = { ao.outbox.Output } end
  table.insert(ao.outbox.Output, txt)
end

-- ao.registerHint(msg): "pid&hint=...&hint-ttl=..." in From-Process -> pid, hint kept.
function ao.registerHint(msg)
  local value = msg["From-Process"]
  if type(value) ~= "string" or not value:find("&", 1, true) then return value end
  local pid = value:match("^([^&]+)")
  local hint = value:match("[&]hint=([^&]+)")
  local ttl = value:match("[&]hint%-ttl=([^&]+)")
  if hint then ao.hints[pid] = { hint = hint, ttl = ttl } end
  return pid
end

return ao
