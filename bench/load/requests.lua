-- The load of one run for wrk: one or more endpoint classes in one wrk process, each request
-- of the class the schedule says (shares interleaved evenly), each class's requests taken from
-- its file in turn. Per class it counts replies by status and records every latency.
--
-- Usage: wrk -t1 -c N -d Ds -s requests.lua URL -- <offset> <class>:<share>:<file> …
-- Each line of a file: METHOD<TAB>PATH[<TAB>BODY[<TAB>COOKIE<TAB>CSRF]]
--
-- Why one process: with one wrk per class (nine processes on one core) the kernel's scheduling
-- decided who sent: at 1,000 connections whole classes completed no request in a run while
-- one wrk alone at 1,000 connections completed 56k (docs/BENCHMARKS.md).
--
-- How a reply finds its class: wrk does not tell the script which connection a reply came on,
-- so every request carries `x-request-id: <n>` and the server echoes it (src/http/request-log.ts);
-- the script remembers when and of which class request n was sent. A server that does not echo
-- (bare Fastify) gets its replies counted under the first class, with wrk's own latency.
local ffi = require('ffi')
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } chinook_timespec;
  int clock_gettime(int clock_id, chinook_timespec *tp);
]]
local clockBuf = ffi.new('chinook_timespec')
local function nowUs()
  ffi.C.clock_gettime(1, clockBuf) -- CLOCK_MONOTONIC
  return tonumber(clockBuf.tv_sec) * 1000000 + math.floor(tonumber(clockBuf.tv_nsec) / 1000)
end

local PLACEHOLDER = '@CHINOOK-ID@'
-- Requests in flight are at most the connections (1,000): a ring this size never wraps onto one.
local RING = 65536
local classes = {}
local schedule = {}
local position = 1
local sequence = 0
local ringId, ringAt, ringClass = {}, {}, {}
-- Read by done() through thread:get (globals of the thread's Lua state). Flat tables only:
-- wrk's copy of a table of tables between Lua states crashes (segfault, wrk 4.1.0).
names = {}
sent = {}
local statuses, latencies = {}, {}

local function split(line, sep)
  local out = {}
  for field in (line .. sep):gmatch('([^' .. sep .. ']*)' .. sep) do out[#out + 1] = field end
  return out
end

local function load(file)
  local prefixes, suffixes = {}, {}
  for line in io.lines(file) do
    local f = split(line, '\t')
    local headers = { ['x-request-id'] = PLACEHOLDER }
    if f[3] and f[3] ~= '' then headers['Content-Type'] = 'application/json' end
    if f[4] and f[4] ~= '' then headers['Cookie'] = 'chinook_session=' .. f[4] end
    if f[5] and f[5] ~= '' then headers['x-csrf-token'] = f[5] end
    local text = wrk.format(f[1], f[2], headers, (f[3] and f[3] ~= '') and f[3] or nil)
    local at = text:find(PLACEHOLDER, 1, true)
    prefixes[#prefixes + 1] = text:sub(1, at - 1)
    suffixes[#suffixes + 1] = text:sub(at + #PLACEHOLDER)
  end
  return prefixes, suffixes
end

function init(args)
  local offset = tonumber(args[1] or '0')
  local total = 0
  for i = 2, #args do
    local spec = split(args[i], ':')
    local prefixes, suffixes = load(spec[3])
    -- Runs start at different places in a file so two runs do not replay the same writes.
    classes[#classes + 1] = { share = tonumber(spec[2]), prefixes = prefixes, suffixes = suffixes, nextIndex = offset % #prefixes + 1 }
    local c = #classes
    names[c] = spec[1]
    statuses[c], latencies[c] = {}, {}
    _G['statuses' .. c], _G['latencies' .. c] = statuses[c], latencies[c]
    sent[c] = 0
    total = total + tonumber(spec[2])
  end
  -- Smooth weighted round-robin (nginx's): over `total` requests each class gets its share,
  -- spread out rather than in runs.
  local current = {}
  for c = 1, #classes do current[c] = 0 end
  for _ = 1, total do
    local best = 1
    for c = 1, #classes do
      current[c] = current[c] + classes[c].share
      if current[c] > current[best] then best = c end
    end
    current[best] = current[best] - total
    schedule[#schedule + 1] = best
  end
end

function request()
  local c = schedule[position]
  position = position % #schedule + 1
  local class = classes[c]
  local i = class.nextIndex
  class.nextIndex = i % #class.prefixes + 1
  sequence = sequence + 1
  local slot = sequence % RING
  ringId[slot], ringAt[slot], ringClass[slot] = sequence, nowUs(), c
  sent[c] = sent[c] + 1
  return class.prefixes[i] .. sequence .. class.suffixes[i]
end

function response(status, headers)
  local id = tonumber(headers['x-request-id'] or '')
  local c = 1
  if id then
    local slot = id % RING
    if ringId[slot] == id then
      c = ringClass[slot]
      local l = latencies[c]
      l[#l + 1] = nowUs() - ringAt[slot]
    end
  end
  local s = statuses[c]
  s[status] = (s[status] or 0) + 1
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

local function quantiles(values)
  table.sort(values)
  local q = {}
  for i = 1, 1000 do
    local v = values[math.max(1, math.ceil(#values * i / 1000))]
    q[i] = string.format('%d', v or 0)
  end
  return table.concat(q, ',')
end

function done(summary, latency)
  local e = summary.errors
  for _, t in ipairs(threads) do
    local tNames, tSent = t:get('names'), t:get('sent')
    for c, name in ipairs(tNames) do
      local byStatus, answered = {}, 0
      for status, n in pairs(t:get('statuses' .. c)) do
        byStatus[#byStatus + 1] = string.format('"%d":%d', status, n)
        answered = answered + n
      end
      local l = t:get('latencies' .. c)
      local q, mean, max
      if #l == 0 and answered > 0 then
        -- No echoed id (one class, a server that does not echo): wrk's own histogram.
        local parts = {}
        for i = 1, 1000 do parts[i] = string.format('%d', latency:percentile(i / 10)) end
        q, mean, max = table.concat(parts, ','), latency.mean, latency.max
      else
        local sum, top = 0, 0
        for _, v in ipairs(l) do
          sum = sum + v
          if v > top then top = v end
        end
        mean, max = (#l > 0) and sum / #l or 0, top
        q = quantiles(l)
      end
      io.write(string.format(
        'JSON:{"class":"%s","requests":%d,"sent":%d,"timed":%d,"durationUs":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},"statuses":{%s},"meanUs":%f,"maxUs":%d,"quantilesUs":[%s]}\n',
        name, answered, tSent[c], #l, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
        table.concat(byStatus, ','), mean, max, q))
    end
  end
end
