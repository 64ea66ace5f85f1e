-- The load test's clients for wrk (make bench): each wrk thread holds one connection and one
-- signed-in session, and requests the paths in turn, back to back, each thread starting at
-- another one, as bench_import's Python clients did. Every response's path index, status and
-- milliseconds are printed at the end, so the bench computes the percentiles itself.
-- LOAD_COOKIES and LOAD_PATHS: one cookie and one path per line.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } timespec;
  int clock_gettime(int clock, timespec *now);
]]
local CLOCK_MONOTONIC = 1

local function lines(text)
  local found = {}
  for line in string.gmatch(text or "", "[^\n]+") do
    table.insert(found, line)
  end
  return found
end

local cookies = lines(os.getenv("LOAD_COOKIES"))
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
  thread:set("cookie", cookies[(#threads - 1) % #cookies + 1])
end

local now_ts = ffi.new("timespec")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, now_ts)
  return tonumber(now_ts.tv_sec) * 1000 + tonumber(now_ts.tv_nsec) / 1e6
end

local paths, turn, sent, pending, seen

function init(args)
  paths = lines(os.getenv("LOAD_PATHS"))
  turn = number - 1
  pending = {}
  seen = {}
end

function request()
  local index = turn % #paths + 1
  turn = turn + 1
  table.insert(pending, { index, now_ms() })
  return wrk.format("GET", paths[index], { Cookie = cookie })
end

function response(status, headers, body)
  local first = table.remove(pending, 1)
  if first then
    table.insert(seen, string.format("%d %d %.2f", first[1], status, now_ms() - first[2]))
  end
  results = table.concat(seen, "\n")
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local text = thread:get("results")
    if text and #text > 0 then
      io.write(text, "\n")
    end
  end
  io.write(string.format("# errors connect %d read %d write %d timeout %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
end
