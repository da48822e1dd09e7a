-- One endpoint class for wrk: replays the requests of a file in turn and reports, as one JSON
-- line, the request count, socket errors, replies per status and latency quantiles.
-- Usage: wrk -t1 -c N -d Ds -s requests.lua URL -- <requests file>
-- Each line of the file: METHOD<TAB>PATH[<TAB>BODY[<TAB>COOKIE<TAB>CSRF]]
local requests = {}
local nextIndex = 1
statuses = {}

local function split(line)
  local out = {}
  for field in (line .. '\t'):gmatch('([^\t]*)\t') do out[#out + 1] = field end
  return out
end

function init(args)
  for line in io.lines(args[1]) do
    local f = split(line)
    local headers = {}
    if f[3] and f[3] ~= '' then headers['Content-Type'] = 'application/json' end
    if f[4] and f[4] ~= '' then headers['Cookie'] = 'chinook_session=' .. f[4] end
    if f[5] and f[5] ~= '' then headers['x-csrf-token'] = f[5] end
    requests[#requests + 1] = wrk.format(f[1], f[2], headers, f[3] ~= '' and f[3] or nil)
  end
  -- Threads start at different places so two threads never send the same write together.
  nextIndex = tonumber(args[2] or '0') % #requests + 1
end

function request()
  local r = requests[nextIndex]
  nextIndex = nextIndex % #requests + 1
  return r
end

function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function done(summary, latency)
  local byStatus = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get('statuses')) do
      byStatus[#byStatus + 1] = string.format('"%d":%d', status, n)
    end
  end
  local q = {}
  for i = 1, 1000 do q[i] = string.format('%d', latency:percentile(i / 10)) end
  local e = summary.errors
  io.write(string.format(
    'JSON:{"requests":%d,"durationUs":%d,"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},"statuses":{%s},"meanUs":%f,"maxUs":%d,"quantilesUs":[%s]}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status,
    table.concat(byStatus, ','), latency.mean, latency.max, table.concat(q, ',')))
end
