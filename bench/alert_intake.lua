-- Load script for wrk, driven by bench/alert_intake.py: PagerDuty Events v2 triggers.
--   wrk -t<N> -c<N> ... <url> -- <routing key> <keys> <repeat share>
-- Each request triggers one alert: with probability <repeat share> a key drawn from a pool of
-- <keys> keys (a repeat, once the pool has been seen), otherwise a key unique in the run (a new
-- alert). Timing and the closing "WRK_JSON {...}" line are those of bench/wrk_load.lua.

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

local routing_key = ""
local pool = 1200
local repeat_share = 0.8
local counter = 0
local started = nil
latencies = {}

function init(args)
  routing_key = args[1]
  pool = tonumber(args[2] or "1200")
  repeat_share = tonumber(args[3] or "0.8")
  math.randomseed(thread_id * 7919)
end

function request()
  started = now_us()
  counter = counter + 1
  local key
  if math.random() < repeat_share then
    key = "pool-" .. tostring(math.random(pool))
  else
    key = "new-" .. tostring(thread_id) .. "-" .. tostring(counter)
  end
  local body = '{"routing_key":"' .. routing_key .. '","event_action":"trigger","dedup_key":"' ..
    key .. '","payload":{"summary":"Check ' .. key .. ' failing","source":"host-' ..
    tostring(counter % 12) .. '","severity":"error","component":"web"}}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
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
