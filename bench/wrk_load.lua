-- Load script for wrk, driven by bench/_harness.py.
--   wrk -t<N> -c<N> ... <url> -- <method> [<body template>]
-- One connection per wrk thread, so each thread's request() and response() alternate and the
-- script can time every request itself (with the monotonic clock, through LuaJIT's FFI).
-- wrk's own percentiles are not used: before reporting, wrk "corrects" its histogram for
-- coordinated omission, which on a shared machine turns one scheduler stall into hundreds of
-- synthetic slow samples and makes p95 meaningless for comparing rows.
-- In a body template every "{n}" becomes a token unique in the run (thread id and counter), so
-- each POST carries a distinct title. At the end one line "WRK_JSON {...}" gives the counts and
-- the latency percentiles (microseconds) for the harness to read.

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clk_id, bench_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local now_ts = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1000000 + tonumber(now_ts.tv_nsec) / 1000
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

local method = "GET"
local template = nil
local counter = 0
local fixed = nil
local started = nil
latencies = {}

function init(args)
  method = args[1] or "GET"
  template = args[2]
  if template == nil or template == "" then
    template = nil
    fixed = wrk.format(method)
  end
end

function request()
  started = now_us()
  if fixed then
    return fixed
  end
  counter = counter + 1
  local token = tostring(thread_id) .. "-" .. tostring(counter)
  local body = template:gsub("{n}", token)
  return wrk.format(method, nil, nil, body)
end

function response(status, headers, body)
  if started then
    latencies[#latencies + 1] = now_us() - started
    started = nil
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then
    return 0
  end
  local index = math.floor(p / 100 * #sorted) + 1
  if index > #sorted then
    index = #sorted
  end
  return sorted[index]
end

function done(summary, latency, requests)
  local all = {}
  for _, thread in ipairs(threads) do
    local samples = thread:get("latencies")
    for i = 1, #samples do
      all[#all + 1] = samples[i]
    end
  end
  table.sort(all)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"samples":%d,"p50_us":%d,"p95_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, #all,
    percentile(all, 50), percentile(all, 95), percentile(all, 99), percentile(all, 100),
    e.connect, e.read, e.write, e.status, e.timeout))
end
