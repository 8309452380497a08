-- The research mix (bench/mix.py): each request asks for one of the URLs in the file named by
-- the MIX_URLS environment variable, at random with a fixed seed per thread. Prints one JSON
-- line with throughput, latency percentiles (microseconds) and the answers counted by status.
local threads = {}
local counter = 0

setup = function(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

init = function(args)
  paths = {}
  for line in io.lines(os.getenv("MIX_URLS")) do
    if #line > 0 then table.insert(paths, line) end
  end
  math.randomseed(20261129 + id)
  statuses = {}
end

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

response = function(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

done = function(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50": %d, "p95": %d, "p99": %d, '
      .. '"non2xx": %d, "errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), summary.errors.status, errors, table.concat(parts, ", ")))
end
