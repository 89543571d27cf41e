-- wrk script: complete multipart submissions of the permohonan form with a
-- JPEG KTP (size from env KTP_BYTES, default 200 KB). Counts 303s as success.
local size = tonumber(os.getenv("KTP_BYTES") or "204800")
local boundary = "----loketBenchBoundary"
local jpeg = "\255\216\255\224" .. string.rep("x", size - 4)
local fields = {
  jenis = "konsultasi", nama = "Siti Aminah", nik = "3517015205900001",
  alamat = "Jl. Merdeka 1", telepon = "0812 3456 7890", nama_usaha = "Keripik",
  bidang_usaha = "Makanan", alamat_usaha = "Jombang", uraian = "Uji beban",
  persetujuan = "ya",
}
local parts = {}
for name, value in pairs(fields) do
  parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" ..
    name .. "\"\r\n\r\n" .. value .. "\r\n"
end
parts[#parts + 1] = "--" .. boundary ..
  "\r\nContent-Disposition: form-data; name=\"ktp\"; filename=\"ktp.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" ..
  jpeg .. "\r\n--" .. boundary .. "--\r\n"

wrk.method = "POST"
wrk.path = "/permohonan/"
wrk.body = table.concat(parts)
wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary

-- Per-thread counters (globals, so that done() can read them through the
-- thread objects: each thread runs its own Lua state).
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
end

function init(args)
  ok, other = 0, 0
end

function response(status, headers, body)
  if status == 303 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local o, b = 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok")
    b = b + t:get("other")
  end
  io.write(string.format("303 responses: %d, non-303: %d\n", o, b))
end
